// tests/build/tsc/traits_usage.ts: a typed program against the
// traits_notes.d.ts that `dolc build tests/build/traits/traits_notes.dol`
// generates; `tsc --strict --noEmit` must accept it, and reject the lines
// marked as expected errors. Documents of genes that are a trait are values of
// the trait's interface (and of the traits it uses); a gene that is only
// `labels.titled` is not a `labels.tagged`.
import { loadFile, NotesNote, NotesFolder, type LabelsTitled, type LabelsTagged } from './traits_notes.js';

await loadFile();

function retitle(item: LabelsTitled, title: string): string {
  item.rename(title);
  return item.title();
}
function tagAll(item: LabelsTagged, tags: string[]): bigint {
  for (const t of tags) item.addTag(t);
  const tagged: boolean = item.isTagged();
  return tagged ? item.tagCount() : 0n;
}

const note = new NotesNote(1n);
const folder = new NotesFolder(2n);
const titled: LabelsTitled[] = [note, folder];
const asTagged: LabelsTagged = note;
const viaTagged: LabelsTitled = asTagged;  // a tagged thing is a titled thing
const count: bigint = tagAll(note, ['a', 'b']);
const heading: string = retitle(folder, 'inbox');
// @ts-expect-error: a folder is titled, not tagged
const wrong: LabelsTagged = folder;
// @ts-expect-error: title() is a string
const n: number = note.title();
console.log(titled.length, viaTagged.title(), count, heading, wrong, n);
