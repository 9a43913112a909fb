// tests/build/traits/traits_native_test.cpp: the C++ that `dolc build
// --emit=cpp` generates for traits_notes.dol, compiled natively with
// -Wall -Wextra -Wshadow -Woverloaded-virtual -Werror against the runtime:
// the traits are abstract classes, the genes' classes derive from them,
// and code written against a trait works on any document that implements it.
#include <gtest/gtest.h>

#include <type_traits>

#include "traits_notes.hpp"

using dolgen::traits_notes::LabelsTagged;
using dolgen::traits_notes::LabelsTitled;
using dolgen::traits_notes::NotesFolder;
using dolgen::traits_notes::NotesNote;

static_assert(std::is_abstract<LabelsTitled>::value, "a trait is an abstract class");
static_assert(std::is_abstract<LabelsTagged>::value, "a trait is an abstract class");
static_assert(std::is_base_of<LabelsTitled, LabelsTagged>::value, "`uses` is a base class");
static_assert(std::is_base_of<LabelsTagged, NotesNote>::value, "a gene derives from its traits");
static_assert(std::is_base_of<LabelsTitled, NotesFolder>::value, "`impl` makes a base class too");
static_assert(!std::is_base_of<LabelsTagged, NotesFolder>::value, "only the traits the gene is");

namespace {

// Code that knows only the traits.
std::string retitle(LabelsTitled& item, const std::string& title) {
  EXPECT_TRUE(item.call_rename(title).ok);
  auto t = item.call_title();
  EXPECT_TRUE(t.ok);
  return t.value;
}

TEST(TraitsNative, GenesThroughTheirTraits) {
  NotesNote note(1);
  NotesFolder folder(2);
  EXPECT_EQ(retitle(note, "shopping"), "shopping");
  EXPECT_EQ(retitle(folder, "inbox"), "inbox");
  LabelsTagged& tagged = note;
  EXPECT_FALSE(tagged.call_is_tagged().value);  // the trait's default body, inherited
  ASSERT_TRUE(tagged.call_add_tag("red").ok);
  ASSERT_TRUE(tagged.call_add_tag("red").ok);
  ASSERT_TRUE(tagged.call_add_tag("blue").ok);
  EXPECT_EQ(tagged.call_tag_count().value, 2);
  EXPECT_TRUE(tagged.call_is_tagged().value);
  EXPECT_NE(note.to_json().find("shopping"), std::string::npos);
}

}  // namespace
