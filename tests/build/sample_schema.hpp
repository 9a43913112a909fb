// tests/build: a hand-built checked schema (no parser needed) covering every
// strategy, an inline enum, nested genes in rga lists and or_set maps, a gene
// method and a constraint, for the generator unit tests.
#pragma once

#include "ir/schema.hpp"

namespace dolc::testing {

inline ir::Field make_field(const std::string& name, ir::Type type, ir::Strategy s) {
  ir::Field f;
  f.name = name;
  f.type = std::move(type);
  f.strategy = s;
  f.strategy_explicit = true;
  return f;
}

inline ir::Expr name_expr(const std::string& text) {
  ir::Expr e;
  e.kind = ir::Expr::Kind::Name;
  e.text = text;
  return e;
}

inline ir::Schema sample_schema(FileId root) {
  using T = ir::Type;
  using K = ir::Type::Kind;
  using S = ir::Strategy;
  ir::Schema schema;
  ir::Module m;
  m.name = "chat";
  m.is_root = true;
  m.file = "chat.dol";
  schema.modules.push_back(m);

  ir::Gene task;
  task.name = "board.task";
  task.span.file = root;
  task.fields.push_back(make_field("title", T::make(K::String), S::Lww));
  task.fields.push_back(make_field("done", T::make(K::Bool), S::Lww));
  task.fields.push_back(make_field("votes", T::integer(64, true), S::PnCounter));

  ir::Gene column;
  column.name = "board.column";
  column.span.file = root;
  column.fields.push_back(make_field("title", T::make(K::String), S::Lww));
  column.fields.push_back(make_field("tasks", T::of(K::List, {T::gene("board.task")}), S::Rga));

  ir::Gene board;
  board.name = "board.board";
  board.span.file = root;
  board.fields.push_back(make_field("name", T::make(K::String), S::Lww));
  board.fields.push_back(make_field("columns", T::of(K::List, {T::gene("board.column")}), S::Rga));
  board.fields.push_back(make_field("by_owner", T::of(K::Map, {T::make(K::String), T::gene("board.task")}), S::OrSet));

  ir::Gene reaction;
  reaction.name = "message.reaction";
  reaction.span.file = root;
  reaction.fields.push_back(make_field("emoji", T::make(K::String), S::Immutable));
  reaction.fields.push_back(make_field("user_id", T::make(K::Identity), S::Immutable));

  ir::Gene chat;
  chat.name = "message.chat";
  chat.span.file = root;
  chat.docs = "A chat message.";
  chat.fields.push_back(make_field("id", T::make(K::Uuid), S::Immutable));
  chat.fields.push_back(make_field("title", T::make(K::String), S::Lww));
  T status = T::make(K::Enum);
  status.variants = {"Draft", "Sent", "type"};
  chat.fields.push_back(make_field("status", status, S::Lww));
  chat.fields.push_back(make_field("topic", T::make(K::String), S::MvRegister));
  chat.fields.push_back(make_field("reactions", T::of(K::Set, {T::make(K::String)}), S::OrSet));
  chat.fields.push_back(make_field("scores", T::of(K::Map, {T::make(K::String), T::integer(32, true)}), S::OrSet));
  ir::Field likes = make_field("likes", T::integer(64, true), S::PnCounter);
  likes.options.min_value = 0;
  chat.fields.push_back(likes);
  chat.fields.push_back(make_field("items", T::of(K::List, {T::make(K::String)}), S::Rga));
  chat.fields.push_back(make_field("content", T::make(K::RichText), S::Peritext));
  chat.fields.push_back(make_field("when", T::of(K::Option, {T::make(K::Timestamp)}), S::Lww));
  chat.fields.push_back(make_field("pair", T::of(K::Tuple, {T::make(K::Bool), T::make(K::Bool)}), S::Lww));
  chat.fields.push_back(make_field("reacts", T::of(K::Set, {T::gene("message.reaction")}), S::OrSet));

  // fun like() { this.likes += 1 }
  ir::Method like;
  like.name = "like";
  ir::Expr self = name_expr("this");
  self.ref = ir::Expr::Ref::SelfValue;
  ir::Expr field;
  field.kind = ir::Expr::Kind::Field;
  field.text = "likes";
  field.ref = ir::Expr::Ref::GeneField;
  field.field = "likes";
  field.field_index = 6;
  field.type = T::integer(64, true);
  field.children.push_back(self);
  ir::Expr one;
  one.kind = ir::Expr::Kind::Int;
  one.int_value = 1;
  one.text = "1";
  one.type = T::integer(64, true);
  ir::Expr assign;
  assign.kind = ir::Expr::Kind::Assign;
  assign.text = "+=";
  assign.children = {field, one};
  ir::Stmt st;
  st.kind = ir::Stmt::Kind::Expr;
  st.expr = assign;
  ir::Expr body;
  body.kind = ir::Expr::Kind::Block;
  body.stmts.push_back(st);
  like.body = body;
  chat.methods.push_back(like);

  // fun shout() uses a closure: not lowerable -> left out.
  ir::Method shout;
  shout.name = "shout";
  ir::Expr closure;
  closure.kind = ir::Expr::Kind::Closure;
  ir::Stmt st2;
  st2.kind = ir::Stmt::Kind::Expr;
  st2.expr = closure;
  ir::Expr body2;
  body2.kind = ir::Expr::Kind::Block;
  body2.stmts.push_back(st2);
  shout.body = body2;
  chat.methods.push_back(shout);

  schema.genes = {task, column, board, reaction, chat};

  // constraint chat.nonneg { likes always >= 0 } (flag_for_review)
  ir::Constraint c;
  c.name = "message.nonneg";
  c.gene = "message.chat";
  c.on_violation = ir::ViolationPolicy::FlagForReview;
  ir::ConstraintClause cl;
  cl.kind = ir::ConstraintClause::Kind::Invariant;
  cl.field = "likes";
  cl.op = ">=";
  cl.needs_runtime_check = true;
  ir::Expr cmp;
  cmp.kind = ir::Expr::Kind::Binary;
  cmp.text = ">=";
  cmp.type = T::make(K::Bool);
  ir::Expr zero = one;
  zero.int_value = 0;
  zero.text = "0";
  cmp.children = {field, zero};
  cl.expr = cmp;
  cl.lhs = field;
  cl.rhs = zero;
  c.clauses.push_back(cl);
  schema.constraints.push_back(c);
  return schema;
}

}  // namespace dolc::testing
