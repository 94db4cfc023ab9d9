// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/impl/client_pool.hpp
//
// The any-token front of client_pool::async_fetch: the pooled exchange coroutine runs on the
// pool's strand (run_exchange), the handler on its own executor, else the pool's.
//

#ifndef ASIOCTX_HTTP_IMPL_CLIENT_POOL_HPP
#define ASIOCTX_HTTP_IMPL_CLIENT_POOL_HPP

#include <boost/asio/async_result.hpp>

namespace asioctx {
namespace http {
namespace detail {

// The initiation says which executor it runs on, so adapters (asioctx::bind among them) and the
// handler's association both see the pool's strand.
class initiate_pool_fetch {
 public:
  using executor_type = boost::asio::any_io_executor;

  initiate_pool_fetch(std::shared_ptr<client_pool_impl> impl, executor_type strand)
      : impl_(std::move(impl)), strand_(std::move(strand)) {}

  executor_type get_executor() const noexcept { return strand_; }

  template <class Handler>
  void operator()(Handler&& handler, context ctx, std::string host, std::string port, request req,
                  client_options options) {
    run_exchange(
        strand_,
        pool_exchange(impl_, std::move(ctx), std::move(host), std::move(port), std::move(req), options),
        std::forward<Handler>(handler));
  }

 private:
  std::shared_ptr<client_pool_impl> impl_;
  executor_type strand_;
};

}  // namespace detail

template <class Token>
auto client_pool::async_fetch(context ctx, std::string host, std::string port, request req,
                              client_options options, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code, response)>(
      detail::initiate_pool_fetch(impl_, strand_), token, std::move(ctx), std::move(host), std::move(port),
      std::move(req), options);
}

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_IMPL_CLIENT_POOL_HPP
