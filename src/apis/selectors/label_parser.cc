// The ?labelSelector= string grammar: a lexer and recursive-descent parser that reproduce
// k8s.io/apimachinery/pkg/labels (selector.go) token for token, so that accepted inputs and
// error texts are the same.
//
//   <selector>    ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ <set-based> | <exact-match> ]
//   <set-based>   ::= ("in" | "notin") "(" VALUE { "," VALUE } ")"
//   <exact-match> ::= ("=" | "==" | "!=" | ">" | "<") VALUE
#include <set>

#include "apis/selectors/label_internal.h"

namespace skiff::apis::selectors_internal {
namespace {

enum class Tok {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string literal;
};

// The literal tokens (labels.string2token).
std::optional<Tok> LiteralToken(std::string_view s) {
  if (s == ")") return Tok::kClosePar;
  if (s == ",") return Tok::kComma;
  if (s == "!") return Tok::kDoesNotExist;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == "=") return Tok::kEquals;
  if (s == ">") return Tok::kGreaterThan;
  if (s == "in") return Tok::kIn;
  if (s == "<") return Tok::kLessThan;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "notin") return Tok::kNotIn;
  if (s == "(") return Tok::kOpenPar;
  return std::nullopt;
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecialSymbol(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

// Byte-wise lexer. As in Kubernetes, a NUL byte reads as end of input.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Item Lex() {
    char ch = SkipWhitespace(Read());
    if (ch == 0) return {Tok::kEnd, ""};
    Unread();
    return IsSpecialSymbol(ch) ? ScanSpecialSymbol() : ScanIdOrKeyword();
  }

 private:
  char Read() {
    if (pos_ < s_.size()) return s_[pos_++];
    return 0;
  }
  void Unread() { --pos_; }

  char SkipWhitespace(char ch) {
    while (IsWhitespace(ch)) ch = Read();
    return ch;
  }

  Item ScanIdOrKeyword() {
    std::string buffer;
    while (true) {
      char ch = Read();
      if (ch == 0) break;
      if (IsSpecialSymbol(ch) || IsWhitespace(ch)) {
        Unread();
        break;
      }
      buffer += ch;
    }
    if (auto t = LiteralToken(buffer)) return {*t, buffer};
    return {Tok::kIdentifier, buffer};
  }

  // The longest run of special symbols that is still a token ("!=" over "!").
  Item ScanSpecialSymbol() {
    std::optional<Item> last;
    std::string buffer;
    while (true) {
      char ch = Read();
      if (ch == 0) break;
      if (!IsSpecialSymbol(ch)) {
        Unread();
        break;
      }
      buffer += ch;
      if (auto t = LiteralToken(buffer)) {
        last = Item{*t, buffer};
      } else if (last) {
        Unread();
        break;
      }
    }
    if (!last) return {Tok::kError, "error expected: keyword found '" + buffer + "'"};
    return *last;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Where "in"/"notin" are read as identifiers (values, and keys) or as operators.
enum class Context { kKeyAndOperator, kValues };

using Values = std::set<std::string>;  // sets.String: sorted, de-duplicated

class Parser {
 public:
  explicit Parser(std::string_view text) {
    Lexer lexer(text);
    while (true) {
      items_.push_back(lexer.Lex());
      if (items_.back().tok == Tok::kEnd) break;
    }
  }

  Result<std::vector<LabelRequirement>> Parse() {
    std::vector<LabelRequirement> out;
    while (true) {
      Item next = Lookahead(Context::kValues);
      switch (next.tok) {
        case Tok::kIdentifier:
        case Tok::kDoesNotExist: {
          auto r = ParseRequirement();
          if (!r.ok()) {
            return InvalidArgumentError("unable to parse requirement: " + r.status().message());
          }
          out.push_back(std::move(r).value());
          Item sep = Consume(Context::kValues);
          if (sep.tok == Tok::kEnd) return out;
          if (sep.tok != Tok::kComma) {
            return InvalidArgumentError("found '" + sep.literal +
                                        "', expected: ',' or 'end of string'");
          }
          Item after = Lookahead(Context::kValues);
          if (after.tok != Tok::kIdentifier && after.tok != Tok::kDoesNotExist) {
            return InvalidArgumentError("found '" + after.literal +
                                        "', expected: identifier after ','");
          }
          break;
        }
        case Tok::kEnd:
          return out;
        default:
          return InvalidArgumentError("found '" + next.literal +
                                      "', expected: !, identifier, or 'end of string'");
      }
    }
  }

 private:
  Item At(size_t i, Context ctx) const {
    Item it = i < items_.size() ? items_[i] : Item{Tok::kEnd, ""};
    if (ctx == Context::kValues && (it.tok == Tok::kIn || it.tok == Tok::kNotIn)) {
      it.tok = Tok::kIdentifier;
    }
    return it;
  }
  Item Lookahead(Context ctx) const { return At(pos_, ctx); }
  Item Consume(Context ctx) { return At(pos_++, ctx); }

  Result<LabelRequirement> ParseRequirement() {
    std::optional<SelectorOperator> op;
    Item tok = Consume(Context::kValues);
    if (tok.tok == Tok::kDoesNotExist) {
      op = SelectorOperator::kDoesNotExist;
      tok = Consume(Context::kValues);
    }
    if (tok.tok != Tok::kIdentifier) {
      return InvalidArgumentError("found '" + tok.literal + "', expected: identifier");
    }
    if (auto err = LabelKeyError(tok.literal, "<nil>")) return InvalidArgumentError(*err);
    std::string key = tok.literal;
    Tok after = Lookahead(Context::kValues).tok;
    if ((after == Tok::kEnd || after == Tok::kComma) && !op) op = SelectorOperator::kExists;
    if (op) return LabelRequirement::Create(std::move(key), *op, {});

    auto parsed_op = ParseOperator();
    if (!parsed_op.ok()) return parsed_op.status();
    Result<Values> values =
        (*parsed_op == SelectorOperator::kIn || *parsed_op == SelectorOperator::kNotIn)
            ? ParseValues()
            : ParseExactValue();
    if (!values.ok()) return values.status();
    return LabelRequirement::Create(std::move(key), *parsed_op,
                                    std::vector<std::string>(values->begin(), values->end()));
  }

  Result<SelectorOperator> ParseOperator() {
    Item tok = Consume(Context::kKeyAndOperator);
    switch (tok.tok) {
      case Tok::kIn:
        return SelectorOperator::kIn;
      case Tok::kEquals:
        return SelectorOperator::kEquals;
      case Tok::kDoubleEquals:
        return SelectorOperator::kDoubleEquals;
      case Tok::kGreaterThan:
        return SelectorOperator::kGreaterThan;
      case Tok::kLessThan:
        return SelectorOperator::kLessThan;
      case Tok::kNotIn:
        return SelectorOperator::kNotIn;
      case Tok::kNotEquals:
        return SelectorOperator::kNotEquals;
      default:
        return InvalidArgumentError("found '" + tok.literal +
                                    "', expected: in, notin, =, ==, !=, gt, lt");
    }
  }

  Result<Values> ParseValues() {
    Item open = Consume(Context::kValues);
    if (open.tok != Tok::kOpenPar) {
      return InvalidArgumentError("found '" + open.literal + "' expected: '('");
    }
    Item next = Lookahead(Context::kValues);
    switch (next.tok) {
      case Tok::kIdentifier:
      case Tok::kComma: {
        auto values = ParseIdentifiersList();
        if (!values.ok()) return values;
        if (Consume(Context::kValues).tok != Tok::kClosePar) {
          return InvalidArgumentError("found '" + next.literal + "', expected: ')'");
        }
        return values;
      }
      case Tok::kClosePar:
        Consume(Context::kValues);
        return Values{""};
      default:
        return InvalidArgumentError("found '" + next.literal +
                                    "', expected: ',', ')' or identifier");
    }
  }

  // A comma-separated list of possibly empty identifiers; stops before ')'.
  Result<Values> ParseIdentifiersList() {
    Values values;
    while (true) {
      Item tok = Consume(Context::kValues);
      switch (tok.tok) {
        case Tok::kIdentifier: {
          values.insert(tok.literal);
          Item next = Lookahead(Context::kValues);
          if (next.tok == Tok::kComma) continue;
          if (next.tok == Tok::kClosePar) return values;
          return InvalidArgumentError("found '" + next.literal + "', expected: ',' or ')'");
        }
        case Tok::kComma: {
          if (values.empty()) values.insert("");  // "(,"
          Tok next = Lookahead(Context::kValues).tok;
          if (next == Tok::kClosePar) {  // ",)"
            values.insert("");
            return values;
          }
          if (next == Tok::kComma) {  // ",,"
            Consume(Context::kValues);
            values.insert("");
          }
          break;
        }
        default:
          return InvalidArgumentError("found '" + tok.literal + "', expected: ',', or identifier");
      }
    }
  }

  Result<Values> ParseExactValue() {
    Tok next = Lookahead(Context::kValues).tok;
    if (next == Tok::kEnd || next == Tok::kComma) return Values{""};
    Item tok = Consume(Context::kValues);
    if (tok.tok == Tok::kIdentifier) return Values{tok.literal};
    return InvalidArgumentError("found '" + tok.literal + "', expected: identifier");
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<LabelRequirement>> ParseLabelRequirements(std::string_view text) {
  return Parser(text).Parse();
}

}  // namespace skiff::apis::selectors_internal
