// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/answer.cpp: the answers made for a handler, in the protocol its caller speaks:
// plain text, or Connect's error (a JSON body for unary calls, the end-of-stream message for
// streams; https://connectrpc.com/docs/protocol).
//

#include "answer.hpp"
#include "text.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include <cstdint>
#include <string_view>

namespace asioctx {
namespace http {

namespace bhttp = boost::beast::http;

namespace {

using detail::trim_ows;
using detail::view;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && boost::beast::iequals(s.substr(0, prefix.size()), prefix);
}

constexpr std::string_view connect_stream_type = "application/connect+";

// Whether the query of a request target has the parameter `connect=v1` (a Connect GET).
bool has_connect_query(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    if (query.substr(0, amp) == "connect=v1") return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

// What a kind of answer is, in each protocol.
struct answer_text {
  unsigned connect_status;        // Connect's HTTP status for its code
  std::string_view connect_code;  // Connect's error code
  std::string_view message;
};

answer_text text_of(answer_kind kind) {
  switch (kind) {
    case answer_kind::deadline_exceeded:
      return {504, "deadline_exceeded", "deadline exceeded"};
    case answer_kind::budget_spent:
      return {504, "deadline_exceeded", "deadline exceeded: the caller's budget was spent on arrival"};
    case answer_kind::invalid_budget:
      return {400, "invalid_argument", "protocol error: invalid connect timeout value"};
    case answer_kind::shutting_down:
      return {503, "unavailable", "server shutting down"};
    case answer_kind::handler_failed:
      break;
  }
  return {500, "internal", "internal server error"};
}

std::string connect_error_json(const answer_text& t) {
  std::string json = R"({"code":")";
  json += t.connect_code;
  json += R"(","message":")";
  json += t.message;  // our own words: nothing to escape
  json += "\"}";
  return json;
}

// Connect's end-of-stream message: flags 0x02, a big-endian 32-bit length, then the JSON.
std::string connect_end_stream(const answer_text& t) {
  const std::string json = "{\"error\":" + connect_error_json(t) + "}";
  const auto n = static_cast<std::uint32_t>(json.size());
  std::string body;
  body.reserve(5 + json.size());
  body += '\x02';
  for (int shift = 24; shift >= 0; shift -= 8) body += static_cast<char>((n >> shift) & 0xff);
  return body + json;
}

}  // namespace

namespace detail {

request_protocol detect_protocol(const request_header& req, bool& proto) {
  proto = false;
  const auto type = req.find(bhttp::field::content_type);
  if (type != req.end()) {
    std::string_view value = trim_ows(view(type->value()));
    if (starts_with_nocase(value, connect_stream_type)) {
      value.remove_prefix(connect_stream_type.size());
      const std::string_view codec = trim_ows(value.substr(0, value.find(';')));
      if (boost::beast::iequals(codec, "proto")) {
        proto = true;
        return request_protocol::connect_stream;
      }
      if (boost::beast::iequals(codec, "json")) return request_protocol::connect_stream;
    }
  }
  if (req.find("connect-protocol-version") != req.end()) return request_protocol::connect_unary;
  if (req.method() == bhttp::verb::get && has_connect_query(view(req.target())))
    return request_protocol::connect_unary;
  return request_protocol::http;
}

}  // namespace detail

request_protocol detect_protocol(const request_header& req) {
  bool proto;
  return detail::detect_protocol(req, proto);
}

response request_scope::answer(answer_kind kind) const {
  const request_options& o = *options_;
  const answer_text t = text_of(kind);
  const bool deadline = kind == answer_kind::deadline_exceeded || kind == answer_kind::budget_spent;
  response res;
  res.version(version_);
  switch (protocol_) {
    case request_protocol::http:
      res.result(deadline                             ? o.deadline_status
                 : kind == answer_kind::shutting_down ? o.shutdown_status
                                                      : t.connect_status);
      res.set(bhttp::field::content_type, "text/plain");
      res.body() = std::string(t.message) + '\n';
      break;
    case request_protocol::connect_unary:
      res.result(t.connect_status);
      res.set(bhttp::field::content_type, "application/json");
      res.body() = connect_error_json(t);
      break;
    case request_protocol::connect_stream:
      // A stream's error travels in its last message, under a 200.
      res.result(bhttp::status::ok);
      res.set(bhttp::field::content_type,
              stream_proto_ ? "application/connect+proto" : "application/connect+json");
      res.body() = connect_end_stream(t);
      break;
  }
  if (deadline && !o.deadline_header.empty()) res.set(o.deadline_header, "1");
  res.keep_alive(keep_alive_ && kind != answer_kind::shutting_down);
  if (o.shape_answer && header_) o.shape_answer(kind, *header_, res);
  res.prepare_payload();
  return res;
}

}  // namespace http
}  // namespace asioctx
