// ListFilter: label and field selectors of list and watch requests.
#include "resources.h"
#include "skiff/apis/selector.h"

namespace skiff::api {

struct ListFilter::Impl {
  const apis::ResourceType* rt;
  apis::LabelSelector labels;
  apis::FieldSelector fields;
};

ApiResult<ListFilter> ListFilter::Make(const apis::ResourceType& rt, const std::string& labels,
                                       const std::string& fields) {
  auto ls = apis::ParseLabelSelector(labels);
  if (!ls.ok()) return BadRequest(ls.status().message());
  auto fs = apis::ParseFieldSelector(fields);
  if (!fs.ok()) return BadRequest(fs.status().message());
  auto converted = apis::ConvertFieldSelector(rt.group, rt.kind, *fs);
  if (!converted.ok()) return BadRequest(converted.status().message());
  ListFilter f;
  f.everything_ = ls->Empty() && converted->Empty();
  if (auto name = apis::FieldSelectorExactName(*converted)) f.exact_name_ = *name;
  f.impl_ = std::make_shared<Impl>(Impl{&rt, std::move(ls).value(), std::move(converted).value()});
  return f;
}

bool ListFilter::Matches(const json& obj) const {
  if (everything_) return true;
  return impl_->labels.MatchesObject(obj) &&
         (impl_->fields.Empty() ||
          apis::MatchesFields(impl_->fields, impl_->rt->group, impl_->rt->kind, obj));
}

}  // namespace skiff::api
