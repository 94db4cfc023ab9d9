// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/impl/request_scope.hpp
//
// The any-token front of async_serve: the user's handler is called into a coroutine that keeps
// the handler object alive while it runs; the rest (the watch on the request's context, the
// answers, the completion) is compiled, in src/http/serve.cpp, behind a type-erased handler.
//

#ifndef ASIOCTX_HTTP_IMPL_REQUEST_SCOPE_HPP
#define ASIOCTX_HTTP_IMPL_REQUEST_SCOPE_HPP

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>

#include <utility>

namespace asioctx {
namespace http {
namespace detail {

using serve_handler = boost::asio::any_completion_handler<void(error_code, response)>;

// Runs `call` (the handler, already called; empty if the scope has an early answer) on ex under
// scope's context and completes h.
void start_serve(const boost::asio::any_io_executor& ex, request_scope& scope,
                 boost::asio::awaitable<response> call, serve_handler h);

// The handler's coroutine, holding the handler object: a lambda coroutine's captures live in
// the lambda, which must outlive the awaitable it returned.
template <class F>
boost::asio::awaitable<response> call_handler(F f, context ctx, request req) {
  co_return co_await f(std::move(ctx), std::move(req));
}

}  // namespace detail

template <class Stream, class Handler, class Token>
auto async_serve(Stream& stream, request_scope& scope, request req, Handler handler, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code, response)>(
      [&stream, &scope](auto h, request req, Handler handler) {
        const boost::asio::any_io_executor ex =
            boost::asio::get_associated_executor(h, stream.get_executor());
        boost::asio::awaitable<response> call;
        if (!scope.early_answer() && !scope.get_context().done())
          call = detail::call_handler(std::move(handler), scope.get_context(), std::move(req));
        detail::start_serve(ex, scope, std::move(call), std::move(h));
      },
      token, std::move(req), std::move(handler));
}

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_IMPL_REQUEST_SCOPE_HPP
