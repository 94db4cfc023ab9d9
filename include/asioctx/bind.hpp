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
  /// Internal: use bind().
  template <class T>
  bound_token(const context& ctx, T&& token, boost::asio::cancellation_type type)
      : ctx_(ctx), type_(type), token_(std::forward<T>(token)) {}

  /// The context the operation is bound to.
  const context& get_context() const noexcept { return ctx_; }
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
 * operation's cancellation slot gets `emit(type)` once, dispatched to the operation's associated
 * executor; an operation that then ends with `operation_aborted` completes with `c.err()`
 * (error::canceled or error::deadline_exceeded). Every other result passes through untouched.
 *
 * If c is already done when the operation starts, an operation whose signature begins with an
 * error_code is not started: its handler is posted with `c.err()` (other arguments
 * value-initialised). Other operations start and get the emit at once.
 *
 * If c has a deadline without a timer yet, the timer is armed on the operation's executor.
 * The token's own cancellation slot (a coroutine's, parallel_group's, or one given with
 * bind_cancellation_slot) keeps working: either source cancels the operation.
 *
 * Works with any completion token: callbacks, use_awaitable, use_future, deferred, detached,
 * yield_context, as_tuple(...), and with co_spawn, where it cancels the coroutine's pending
 * operation.
 *
 * @par Executor
 * The handler's associated executor, or the I/O object's executor when the initiation exposes
 * one; it is preserved, as are the handler's allocator and immediate executor.
 *
 * @par Thread safety
 * The context may be cancelled from any thread. For operations used from several threads,
 * associate a strand with the handler, as Asio requires of every cancellation.
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
