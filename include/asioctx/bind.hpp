// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/bind.hpp
//
// The completion-token adapter: bind(ctx, token) makes an asynchronous operation cancelled when
// the context is done.
//

#ifndef ASIOCTX_BIND_HPP
#define ASIOCTX_BIND_HPP

#include <asioctx/context.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>

#include <type_traits>
#include <utility>

namespace asioctx {

/// A completion token that binds an operation to a context. Made by bind().
template <class Token>
class bound_token {
 public:
  /// The wrapped completion token's type.
  using token_type = Token;

  /// Internal: use bind().
  template <class T>
  bound_token(context ctx, T&& token, boost::asio::cancellation_type type)
      : ctx_(std::move(ctx)), type_(type), token_(std::forward<T>(token)) {}

  /// The context the operation is bound to.
  const context& get_context() const noexcept { return ctx_; }
  /// Moves the context out (for adapters that rebuild the token).
  context take_context() && noexcept { return std::move(ctx_); }
  /// The cancellation type emitted when the context is done.
  boost::asio::cancellation_type get_cancellation_type() const noexcept { return type_; }
  /// The wrapped completion token.
  Token& get_token() noexcept { return token_; }
  /// The wrapped completion token.
  const Token& get_token() const noexcept { return token_; }

 private:
  context ctx_;
  boost::asio::cancellation_type type_;
  Token token_;
};

/// Binds the operation started with the returned token to c.
/**
 * When c becomes done (cancelled, or its deadline passes) while the operation is pending, the
 * operation's cancellation slot gets `emit(type)` once, on the executor the operation completes
 * on, never concurrently with the completion and never after it; operations on one executor are
 * cancelled in one dispatch. An operation that then ends with `operation_aborted` (or, for Asio's
 * channels, `channel_cancelled`) completes with
 * `c.err()` (error::canceled or error::deadline_exceeded), and an `exception_ptr` holding
 * `operation_aborted` (co_spawn's) is replaced by one holding `c.err()`. Every other result
 * passes through untouched.
 *
 * If c is already done when the operation starts, an operation whose signature begins with an
 * error_code is not started: its handler gets `c.err()` (other arguments value-initialised),
 * posted, or through its immediate executor where Asio has them. Other operations start and get
 * the emit at once.
 *
 * If c has a deadline, the deadline is armed on the operation's execution context while the
 * operation is pending. The token's own cancellation slot (a coroutine's, parallel_group's, or
 * one given with bind_cancellation_slot) keeps working: either source cancels the operation.
 *
 * Works with any completion token (callbacks, use_awaitable, use_future, deferred, detached,
 * yield_context, co_spawn's) and in any position among Asio's adapters (`bind_executor`,
 * `as_tuple`, `redirect_error`, `bind_cancellation_slot`, `bind_allocator`,
 * `bind_immediate_executor`, `append`, `prepend`, `consign`): written outside bind, an adapter
 * means the same as written inside.
 *
 * @par Executor
 * The handler's associated executor, with the operation's own (its initiation's, or its I/O
 * object's) as the candidate. An operation that reveals no executor, bound to a handler that has
 * none, does not compile: bind an executor to the handler (`bind(ctx, bind_executor(ex, h))`).
 * The handler's associated executor, allocator and immediate executor are preserved; a handler
 * with no allocator of its own gets asioctx's per-thread block pool, from which Asio then
 * allocates the operation (one that names an allocator, `std::allocator` included, keeps it).
 *
 * @par Thread safety
 * The context may be cancelled from any thread.
 */
template <class Token>
bound_token<std::decay_t<Token>> bind(
    const context& c, Token&& token,
    boost::asio::cancellation_type type = boost::asio::cancellation_type::terminal) {
  return bound_token<std::decay_t<Token>>(c, std::forward<Token>(token), type);
}

}  // namespace asioctx

#include <asioctx/impl/bind.hpp>

#endif  // ASIOCTX_BIND_HPP
