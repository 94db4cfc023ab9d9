// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/request_scope.cpp: a request's budget and context (public API of the core only).
//

#include <asioctx/http/request_scope.hpp>

#include "answer.hpp"
#include "sites.hpp"
#include "text.hpp"

#include <asioctx/http/timeout_header.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <string_view>
#include <tuple>

namespace asioctx {
namespace http {

namespace {

using detail::view;

// The parser of a budget header, told by its name; nullptr for any other field.
using parser = std::optional<std::chrono::nanoseconds> (*)(std::string_view) noexcept;
struct budget_header {
  std::string_view name;
  parser parse;
  budget_source source;
};
constexpr budget_header budget_headers[] = {
    {grpc_timeout_field, parse_grpc_timeout, budget_source::grpc_timeout},
    {envoy_timeout_field, parse_envoy_timeout_ms, budget_source::envoy_timeout_ms},
    {connect_timeout_field, parse_connect_timeout_ms, budget_source::connect_timeout_ms},
};

// message::keep_alive(), for a header alone (RFC 9112 §9.3).
bool keep_alive(const request_header& req) {
  const auto it = req.find(boost::beast::http::field::connection);
  if (it == req.end()) return req.version() >= 11;
  boost::beast::http::token_list tokens{it->value()};
  return req.version() >= 11 ? !tokens.exists("close") : tokens.exists("keep-alive");
}

const request_options& default_options() {
  static const request_options options;
  return options;
}

}  // namespace

request_budget read_budget(const request_header& req) {
  // One pass over the fields: a request carries a handful, and a budget header is told by its
  // length before any comparison.
  request_budget out;
  for (const auto& f : req) {
    if (f.name() != boost::beast::http::field::unknown) continue;
    const std::string_view name = view(f.name_string());
    for (const budget_header& h : budget_headers) {
      if (name.size() != h.name.size() || !boost::beast::iequals(name, h.name)) continue;
      const std::optional<std::chrono::nanoseconds> b = h.parse(view(f.value()));
      if (!b) {
        ++out.malformed;
        if (h.source == budget_source::connect_timeout_ms) out.malformed_connect = true;
      } else if (!out.left || *b < *out.left) {
        out.left = b;
        out.source = h.source;
      }
      break;
    }
  }
  return out;
}

request_scope::request_scope(const context& parent, const request_header& req, const source_location& where)
    : request_scope(parent, req, default_options(), where) {}

request_scope::request_scope(const context& parent, const request_header& req, const request_options& options,
                             const source_location& where)
    : options_(&options),
      where_(where),
      budget_(read_budget(req)),
      version_(req.version()),
      keep_alive_(keep_alive(req)) {
  protocol_ = detail::detect_protocol(req, stream_proto_);
  if (options.shape_answer) header_.emplace(req);
  if (protocol_ != request_protocol::http && budget_.malformed_connect)
    early_ = answer_kind::invalid_budget;  // as Connect's reference implementation answers
  else if (budget_.left && *budget_.left <= std::chrono::nanoseconds::zero())
    early_ = answer_kind::budget_spent;
  const std::chrono::nanoseconds server_timeout = options.handler_timeout;
  if (const auto deadline = request_deadline(clock::now(), server_timeout, budget_.left)) {
    // cancel_site() names what set it: the caller's header, or the handler timeout.
    const bool caller_set = budget_.left && (server_timeout <= std::chrono::nanoseconds::zero() ||
                                             *budget_.left < server_timeout);
    const source_location& set_by =
        caller_set ? detail::site::of(budget_.source) : detail::site::handler_timeout;
    std::tie(ctx_, cancel_) = with_deadline(parent, *deadline, set_by);  // armed by what waits on it
  } else {
    std::tie(ctx_, cancel_) = with_cancel(parent);
  }
}

request_scope::~request_scope() { cancel_(where_); }

}  // namespace http
}  // namespace asioctx
