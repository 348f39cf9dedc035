// The schema language parser: what each construct produces and how errors name their line.
#include <catch2/catch.hpp>

#include "skiff/apis/schema.h"

namespace skiff::apis {
namespace {

std::string ParseError(std::string_view text) {
  auto r = Schema::Parse(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

constexpr std::string_view kSmall = R"(# a comment line
package demo.v1

kind Widget example.com/v1 "A thing that is made."
  apiVersion 0  string
  kind       0  string
  spec       2  WidgetSpec   # trailing comment
  tags       3  []string     list=set
  labels     4  map[string]string
  parts      5  []Part       required merge=name strategy=merge,retainKeys list=map keys=name,slot "The parts."
  sel        6  Part         strategy=replace

type WidgetSpec
  size     1  quantity
  port     2  intorstring
  at       3  time
  seen     4  microtime
  every    5  duration
  blob     6  bytes
  raw      7  rawjson
  count    8  int64
  ratio    9  float64
  on      10  bool
  small   11  int32

type Part
  name 1  string  required
  slot 2  int32
)";

TEST_CASE("a schema parses into types with fields, kinds and patch metadata") {
  auto r = Schema::Parse(kSmall);
  REQUIRE(r.ok());
  const Schema& s = **r;
  REQUIRE(s.types().size() == 3);

  const TypeDef* w = s.Type("demo.v1.Widget");
  REQUIRE(w != nullptr);
  CHECK(w->description == "A thing that is made.");
  CHECK(w->group == "example.com");
  CHECK(w->version == "v1");
  CHECK(w->kind == "Widget");
  CHECK(w->IsKind());
  CHECK(s.KindType("example.com", "v1", "Widget") == w);
  CHECK(s.KindType("", "v1", "Widget") == nullptr);
  REQUIRE(w->fields.size() == 7);
  CHECK(w->fields[0].name == "apiVersion");
  CHECK(w->fields[0].proto == 0);

  const FieldDef* spec = w->Field("spec");
  REQUIRE(spec != nullptr);
  CHECK(spec->kind == ValueKind::kObject);
  CHECK(spec->type == s.Type("demo.v1.WidgetSpec"));
  CHECK(spec->container == Container::kNone);
  CHECK(w->FieldByProto(2) == spec);
  CHECK(w->FieldByProto(0) == nullptr);

  const FieldDef* tags = w->Field("tags");
  CHECK(tags->container == Container::kArray);
  CHECK(tags->kind == ValueKind::kString);
  CHECK(tags->list_type == "set");

  const FieldDef* labels = w->Field("labels");
  CHECK(labels->container == Container::kMap);
  CHECK(labels->kind == ValueKind::kString);

  const FieldDef* parts = w->Field("parts");
  CHECK(parts->required);
  CHECK(parts->merge_key == "name");
  CHECK(parts->strategy_merge);
  CHECK(parts->strategy_retain_keys);
  CHECK_FALSE(parts->strategy_replace);
  CHECK(parts->list_type == "map");
  CHECK(parts->list_map_keys == std::vector<std::string>{"name", "slot"});
  CHECK(parts->description == "The parts.");
  CHECK(w->Field("sel")->strategy_replace);

  const TypeDef* ws = s.Type("demo.v1.WidgetSpec");
  CHECK_FALSE(ws->IsKind());
  CHECK(ws->Field("size")->kind == ValueKind::kQuantity);
  CHECK(ws->Field("port")->kind == ValueKind::kIntOrString);
  CHECK(ws->Field("at")->kind == ValueKind::kTime);
  CHECK(ws->Field("seen")->kind == ValueKind::kMicroTime);
  CHECK(ws->Field("every")->kind == ValueKind::kDuration);
  CHECK(ws->Field("blob")->kind == ValueKind::kBytes);
  CHECK(ws->Field("raw")->kind == ValueKind::kRawJSON);
  CHECK(ws->Field("count")->kind == ValueKind::kInt64);
  CHECK(ws->Field("ratio")->kind == ValueKind::kFloat64);
  CHECK(ws->Field("on")->kind == ValueKind::kBool);
  CHECK(ws->Field("small")->kind == ValueKind::kInt32);
  CHECK(ws->Field("nope") == nullptr);
}

TEST_CASE("a kind in the core group has an empty group") {
  auto r = Schema::Parse("package core.v1\nkind Thing v1\n  name 1 string\n");
  REQUIRE(r.ok());
  const TypeDef* t = (*r)->KindType("", "v1", "Thing");
  REQUIRE(t != nullptr);
  CHECK(t->name == "core.v1.Thing");
  CHECK(t->group.empty());
}

TEST_CASE("inline members are flattened into the JSON fields and kept for protobuf") {
  auto r = Schema::Parse(R"(package demo.v1
type Volume
  name   1  string  required
  source 2  Source  inline
  after  3  bool
type Source
  disk  1  Disk
  inner 2  Inner  inline
type Inner
  path 1  string
type Disk
  id 1  string
)");
  REQUIRE(r.ok());
  const TypeDef* v = (*r)->Type("demo.v1.Volume");
  REQUIRE(v->fields.size() == 4);
  CHECK(v->fields[0].name == "name");
  CHECK(v->fields[1].name == "disk");
  CHECK(v->fields[2].name == "path");  // nested inline, flattened too
  CHECK(v->fields[3].name == "after");
  CHECK(v->Field("disk")->proto == 0);  // its number belongs to the Source message
  CHECK(v->Field("disk")->type == (*r)->Type("demo.v1.Disk"));
  CHECK(v->FieldByProto(1) == v->Field("name"));
  CHECK(v->FieldByProto(2) == nullptr);
  CHECK(v->FieldByProto(3) == v->Field("after"));
  REQUIRE(v->inlined.size() == 1);
  CHECK(v->inlined[0].name == "source");
  CHECK(v->inlined[0].proto == 2);
  CHECK(v->inlined[0].type == (*r)->Type("demo.v1.Source"));
  CHECK(v->InlineByProto(2) == &v->inlined[0]);
  CHECK(v->InlineByProto(1) == nullptr);
  const TypeDef* src = (*r)->Type("demo.v1.Source");
  CHECK(src->FieldByProto(1) == src->Field("disk"));  // the embedded type keeps its numbers
}

TEST_CASE("references may cross packages and files") {
  std::string a = "package a.v1\ntype A\n  b 1 b.v1.B\n";
  std::string b = "package b.v1\ntype B\n  x 1 string\n";
  auto r = Schema::ParseFiles({{"a.schema", a}, {"b.schema", b}});
  REQUIRE(r.ok());
  CHECK((*r)->Type("a.v1.A")->Field("b")->type == (*r)->Type("b.v1.B"));
}

TEST_CASE("parse errors name the line") {
  CHECK(ParseError("package d.v1\ntype A\n  x 1 B\n") == "schema line 3: unknown type \"d.v1.B\"");
  CHECK(ParseError("package d.v1\n  x 1 string\n") ==
        "schema line 2: field outside a type block (indent fields under a type)");
  CHECK(ParseError("type A\n") == "schema line 1: \"type\" before any \"package\"");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 strnig\n") ==
        "schema line 3: unknown value type \"strnig\" (a kind such as string, int32, quantity, "
        "or a type name)");
  CHECK(ParseError("package d.v1\ntype A\n  x one string\n") ==
        "schema line 3: bad protobuf field number \"one\"");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string\n  x 2 string\n") ==
        "schema line 4: field \"x\" defined twice in d.v1.A");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string\n  y 1 string\n") ==
        "schema line 4: protobuf number 1 used twice in d.v1.A");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string\ntype A\n") ==
        "schema line 4: type \"d.v1.A\" defined twice");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string frozen\n") ==
        "schema line 3: unknown attribute \"frozen\"");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 []B list=map\ntype B\n  k 1 string\n") ==
        "schema line 3: list=map needs keys=");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 []B list=map keys=nope\ntype B\n  k 1 string\n") ==
        "schema line 3: key \"nope\" is not a field of the list's elements");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string list=atomic\n") ==
        "schema line 3: list= needs a [] field");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 []string strategy=shuffle\n") ==
        "schema line 3: unknown patch strategy \"shuffle\" (merge, retainKeys or replace)");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 [][]string\n") ==
        "schema line 3: nested containers are not supported: \"[][]string\"");
  CHECK(ParseError("package d.v1\nkind A apps/\n") ==
        "schema line 2: bad apiVersion \"apps/\" (want \"v1\" or \"apps/v1\")");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string \"unterminated\n") ==
        "schema line 3: unterminated description");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 []B inline\ntype B\n  k 1 string\n") ==
        "schema line 3: inline needs a plain (not [] or map) field of a type");
  CHECK(ParseError("package d.v1\ntype A\n  b 1 B inline\ntype B\n  a 1 A inline\n") ==
        "schema line 2: inline cycle through \"d.v1.A\"");
  CHECK(ParseError("package d.v1\ntype A\n  x 1 string\n  b 2 B inline\ntype B\n  x 1 string\n") ==
        "schema line 2: field \"x\" appears twice in d.v1.A once inline members are expanded");
  CHECK(ParseError("package d.v1\nfield x\n") ==
        "schema line 2: expected \"package\", \"type\" or \"kind\" (fields must be indented), "
        "got \"field\"");
}

TEST_CASE("errors from several files name the file") {
  auto r = Schema::ParseFiles({{"ok.schema", "package a.v1\ntype A\n  x 1 string\n"},
                               {"bad.schema", "package b.v1\n\ntype B\n  y 1 a.v1.Missing\n"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "bad.schema line 4: unknown type \"a.v1.Missing\"");
}

}  // namespace
}  // namespace skiff::apis
