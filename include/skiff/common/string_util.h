// Small string helpers: ASCII case and white space, and Go's strings.Join and error-aggregate
// text where Kubernetes' messages depend on them. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff {

// s with A-Z turned into a-z; every other byte unchanged (strings.ToLower for ASCII text).
std::string AsciiLower(std::string_view s);

// s without leading and trailing ASCII white space: space, \t, \n, \v, \f, \r.
std::string_view TrimAsciiSpace(std::string_view s);

// Go's strings.Join: the parts with sep between them ("" for none).
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// utilerrors.NewAggregate(errs).Error() over already-rendered messages: repeated messages are
// dropped (the first is kept), one remaining message is returned as is, several as
// "[m1, m2]". No messages give "".
std::string AggregateMessages(const std::vector<std::string>& messages);

}  // namespace skiff
