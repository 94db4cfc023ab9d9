// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/http/impl/client.hpp
//
// The any-token front of async_send and async_fetch: each runs its exchange coroutine with
// co_spawn and hands the result to the handler on the handler's executor, keeping its
// cancellation slot.
//

#ifndef ASIOCTX_HTTP_IMPL_CLIENT_HPP
#define ASIOCTX_HTTP_IMPL_CLIENT_HPP

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/system/errc.hpp>

#include <exception>
#include <memory>

namespace asioctx {
namespace http {
namespace detail {

// Carries a cancellation from the handler's slot to the exchange's executor. The signal is
// shared: a cancellation emitted as the exchange completes reaches io_ex after the handler may
// have moved on and replaced what its slot holds. (co_spawn's own forwarding before Asio 1.29
// dispatches through a pointer into that slot: a use after free when io_ex is another strand.)
struct forward_cancellation {
  forward_cancellation(std::shared_ptr<boost::asio::cancellation_signal> s, boost::asio::any_io_executor e)
      : signal(std::move(s)), ex(std::move(e)) {}
  void operator()(boost::asio::cancellation_type_t type) const {
    boost::asio::dispatch(ex, [signal = signal, type] { signal->emit(type); });
  }
  std::shared_ptr<boost::asio::cancellation_signal> signal;
  boost::asio::any_io_executor ex;
};

// Runs an exchange coroutine on io_ex and completes handler with its result.
template <class Handler>
void run_exchange(const boost::asio::any_io_executor& io_ex, boost::asio::awaitable<exchange_result> exchange,
                  Handler handler) {
  auto slot = boost::asio::get_associated_cancellation_slot(handler);
  auto handler_ex = boost::asio::get_associated_executor(handler, io_ex);
  auto signal = std::make_shared<boost::asio::cancellation_signal>();
  if (slot.is_connected()) slot.template emplace<forward_cancellation>(signal, io_ex);
  boost::asio::co_spawn(
      io_ex, std::move(exchange),
      boost::asio::bind_cancellation_slot(signal->slot(), [handler = std::move(handler), handler_ex, signal,
                                                           slot](std::exception_ptr e,
                                                                 exchange_result r) mutable {
        if (e) r.first = make_error_code(boost::system::errc::not_enough_memory);  // all it can throw
        boost::asio::dispatch(handler_ex, [handler = std::move(handler), r = std::move(r), slot]() mutable {
          if (slot.is_connected()) slot.clear();
          std::move(handler)(r.first, std::move(r.second));
        });
      }));
}

}  // namespace detail

template <class Token>
auto async_send(context ctx, boost::asio::ip::tcp::socket& socket, boost::beast::flat_buffer& buffer,
                request req, client_options options, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code, response)>(
      [&socket, &buffer](auto handler, context ctx, request req, client_options options) {
        detail::run_exchange(socket.get_executor(),
                             detail::send_exchange(std::move(ctx), socket, buffer, std::move(req), options),
                             std::move(handler));
      },
      token, std::move(ctx), std::move(req), options);
}

template <class Token>
auto async_fetch(context ctx, std::string host, std::string port, request req, client_options options,
                 Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code, response)>(
      [](auto handler, context ctx, std::string host, std::string port, request req, client_options options) {
        static_assert(detail::has_exchange_executor<decltype(handler)>,
                      "asioctx::http::async_fetch: the handler has no associated executor that can do I/O, "
                      "and async_fetch has no I/O object to fall back on (DESIGN rule 13: never a hidden "
                      "system_executor). Bind one: asioctx::http::async_fetch(ctx, host, port, req, options, "
                      "boost::asio::bind_executor(ex, handler)), or co_await it in a coroutine.");
        boost::asio::any_io_executor ex = boost::asio::get_associated_executor(handler);
        detail::run_exchange(
            ex,
            detail::fetch_exchange(std::move(ctx), std::move(host), std::move(port), std::move(req), options),
            std::move(handler));
      },
      token, std::move(ctx), std::move(host), std::move(port), std::move(req), options);
}

}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_HTTP_IMPL_CLIENT_HPP
