// tests/build/traits/consumer.js: a component of its own, written in
// JavaScript against nothing but the `dol:traits/labels-titled@1.0.0`
// interface that dolc emits (traits_compose.mjs componentizes it with
// componentize-js). It does not know which schema, or which component,
// serves the trait: a composition links it to one.
export function describe(item) {
  return `titled "${item.title()}"`;
}

export function retitle(item, title) {
  item.rename(title);
  return item.title();
}
