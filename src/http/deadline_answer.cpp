// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/deadline_answer.cpp: recognising a callee's answer that its deadline passed, in the
// forms the peers we talk to send it (our marker, gRPC's status, Connect's error body).
//

#include <asioctx/http/client.hpp>

#include <boost/beast/core/string.hpp>

#include <string_view>

namespace asioctx {
namespace http {
namespace {

std::string_view view(boost::beast::string_view v) { return {v.data(), v.size()}; }

void skip_json_space(std::string_view& v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\n' || v.front() == '\r'))
    v.remove_prefix(1);
}

// `application/json`, with or without parameters (Beast has trimmed the field value already).
bool is_json(std::string_view content_type) {
  constexpr std::string_view media = "application/json";
  if (content_type.size() < media.size() ||
      !boost::beast::iequals(content_type.substr(0, media.size()), media))
    return false;
  const std::string_view rest = content_type.substr(media.size());
  return rest.empty() || rest.front() == ';' || rest.front() == ' ' || rest.front() == '\t';
}

// Whether a JSON object has a member "code" whose value is the string "deadline_exceeded". A scan,
// not a parser: Connect's error body is a flat object, and a quote inside a JSON string is
// escaped, so `"code"` cannot match inside another member's text.
bool has_deadline_code(std::string_view body) {
  constexpr std::string_view key = "\"code\"";
  for (auto at = body.find(key); at != std::string_view::npos; at = body.find(key, at + 1)) {
    std::string_view rest = body.substr(at + key.size());
    skip_json_space(rest);
    if (rest.empty() || rest.front() != ':') continue;
    rest.remove_prefix(1);
    skip_json_space(rest);
    constexpr std::string_view value = "\"deadline_exceeded\"";
    if (rest.substr(0, value.size()) == value) return true;
  }
  return false;
}

}  // namespace

bool is_deadline_answer(const response& res) {
  // Beast strips the whitespace around field values.
  if (view(res["x-asioctx-deadline-exceeded"]) == "1") return true;
  if (view(res["grpc-status"]) == "4") return true;  // DEADLINE_EXCEEDED
  const unsigned status = res.result_int();
  return (status < 200 || status > 299) && is_json(view(res[boost::beast::http::field::content_type])) &&
         has_deadline_code(res.body());
}

}  // namespace http
}  // namespace asioctx
