// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/answer.hpp: the protocol a request speaks, in more detail than the public
// detect_protocol() gives (internal).
//

#ifndef ASIOCTX_SRC_HTTP_ANSWER_HPP
#define ASIOCTX_SRC_HTTP_ANSWER_HPP

#include <asioctx/http/request_scope.hpp>

namespace asioctx {
namespace http {
namespace detail {

// detect_protocol(req); `proto` tells whether a Connect stream uses the binary codec (its
// end-of-stream answer must carry the same content type).
request_protocol detect_protocol(const request_header& req, bool& proto);

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_ANSWER_HPP
