#include "manifests/manifest_documents.h"

#include "api/codec.h"

namespace skiff::manifests {
namespace {

using nlohmann::json;

// A line that starts a new document: "---", alone or followed by a space (YAML's marker).
bool IsDocumentStart(const std::string& line) {
  return line.rfind("---", 0) == 0 &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

std::string Where(int document, int line) {
  return "document " + std::to_string(document) + " (line " + std::to_string(line) + ")";
}

Status CheckObject(const json& obj, int document, int line) {
  if (!obj.is_object()) return InvalidArgumentError(Where(document, line) + ": not an object");
  for (const char* field : {"apiVersion", "kind"}) {
    if (!obj.contains(field) || !obj[field].is_string() || obj[field].get<std::string>().empty()) {
      return InvalidArgumentError(Where(document, line) + ": the object has no " + field);
    }
  }
  const bool named = obj.contains("metadata") && obj["metadata"].is_object() &&
                     obj["metadata"].contains("name") && obj["metadata"]["name"].is_string() &&
                     !obj["metadata"]["name"].get<std::string>().empty();
  if (!named) {
    return InvalidArgumentError(Where(document, line) + ": the " + obj["kind"].get<std::string>() +
                                " has no metadata.name");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<ManifestObject>> ParseManifest(const std::string& text) {
  // Split into documents, remembering where each starts.
  struct Doc {
    int line;        // where the document starts (its "---", or 1)
    int first_line;  // the file line of the text's first line
    std::string text;
  };
  std::vector<Doc> docs{{1, 1, ""}};
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (IsDocumentStart(line)) {
      // Content after the marker on the same line belongs to the new document.
      if (line.size() > 4) {
        docs.push_back({line_no, line_no, line.substr(4) + "\n"});
      } else {
        docs.push_back({line_no, line_no + 1, ""});
      }
      continue;
    }
    if (line == "..." || line == "...\r") continue;  // document end marker
    docs.back().text += line + "\n";
  }
  // A file starting with "---" has an empty first document: not counted.
  if (docs.size() > 1 && docs[0].text.find_first_not_of(" \t\r\n") == std::string::npos) {
    docs.erase(docs.begin());
  }
  std::vector<ManifestObject> out;
  for (size_t i = 0; i < docs.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    api::YamlError error;
    std::optional<json> doc = api::YamlDocumentToJson(docs[i].text, &error);
    if (!doc) {
      return InvalidArgumentError(Where(number, docs[i].line) + ": line " +
                                  std::to_string(docs[i].first_line + error.line - 1) + ": " +
                                  error.message);
    }
    if (doc->is_null()) continue;  // empty, or comments only
    if (doc->is_object() && doc->value("kind", "") == "List" && doc->contains("items") &&
        (*doc)["items"].is_array()) {
      for (const json& item : (*doc)["items"]) {
        if (Status s = CheckObject(item, number, docs[i].line); !s.ok()) return s;
        out.push_back({number, docs[i].line, item});
      }
      continue;
    }
    if (Status s = CheckObject(*doc, number, docs[i].line); !s.ok()) return s;
    out.push_back({number, docs[i].line, std::move(*doc)});
  }
  return out;
}

}  // namespace skiff::manifests
