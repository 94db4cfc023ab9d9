// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/message.hpp: what the server reads in a request and the answers it makes itself
// (internal).
//

#ifndef ASIOCTX_SRC_HTTP_MESSAGE_HPP
#define ASIOCTX_SRC_HTTP_MESSAGE_HPP

#include <asioctx/http/server.hpp>

#include <optional>
#include <string>

namespace asioctx {
namespace http {
namespace detail {

using request_header = boost::beast::http::request_header<>;

// 0 if the header may be served; else the status that rejects it (RFC 9112 §6.1, §6.3): a
// Transfer-Encoding whose last coding is not chunked, chunked twice, or on HTTP/1.0 is 400; one
// with a coding before chunked (none is implemented) is 501.
unsigned header_status(const request_header& req);

// Whether the client waits for "100 Continue" before sending the body.
bool expects_continue(const request_header& req);

// The status for a request the parser refused.
unsigned bad_request_status(const error_code& ec);

// Whether the response carries "Connection: close" (the handler asked to close).
bool says_close(const response& res);

// A plain-text answer the server makes itself.
response status_response(unsigned status, unsigned version, std::string body);

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_MESSAGE_HPP
