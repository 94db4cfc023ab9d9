// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/bound_handler.hpp
//
// The handler of a bound operation: the user's handler, the operation's cancellation slot in
// place of the token's own (whose emits are forwarded), and the context's error in place of the
// operation's "cancelled" when the context's emit ended it. Every other association is the
// wrapped handler's.
//

#ifndef ASIOCTX_DETAIL_BOUND_HANDLER_HPP
#define ASIOCTX_DETAIL_BOUND_HANDLER_HPP

#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/config.hpp>
#include <asioctx/detail/exception.hpp>
#include <asioctx/detail/op_pool.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/post.hpp>
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
#include <boost/asio/associated_immediate_executor.hpp>
#include <boost/asio/dispatch.hpp>
#endif
#include <boost/system/system_error.hpp>

#include <exception>
#include <memory>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

namespace asioctx {
namespace detail {

// Completes a handler from inside its initiating function, never inline: through its immediate
// executor where Asio has them (which posts unless the handler asked otherwise), else posted.
template <class Handler, class Executor, class... Values>
void complete_now(Handler&& h, const Executor& ex, Values&&... values) {
#if ASIOCTX_HAS_IMMEDIATE_EXECUTOR
  auto iex = boost::asio::get_associated_immediate_executor(h, ex);
  boost::asio::dispatch(iex, boost::asio::append(std::forward<Handler>(h), std::forward<Values>(values)...));
#else
  boost::asio::post(ex, boost::asio::append(std::forward<Handler>(h), std::forward<Values>(values)...));
#endif
}

// What an operation with this signature completes with when its context is already done.
template <class Signature>
struct early_completion {
  static constexpr bool value = false;
};
template <class... Rest>
struct early_completion<void(error_code, Rest...)> {
  static constexpr bool value = (std::is_default_constructible_v<std::decay_t<Rest>> && ...);
  template <class Handler, class Executor>
  static void complete(Handler&& h, const Executor& ex, const error_code& err) {
    complete_now(std::forward<Handler>(h), ex, err, std::decay_t<Rest>()...);
  }
};
template <class... Rest>
struct early_completion<void(const error_code&, Rest...)> : early_completion<void(error_code, Rest...)> {};

// How an operation says its cancellation slot ended it: operation_aborted, or, for Asio's
// channels, channel_cancelled.
inline bool is_cancelled(const error_code& ec) noexcept {
  if (ec.value() == boost::asio::error::operation_aborted &&
      ec.category() == boost::system::system_category())
    return true;  // the common case, inline (the general comparison is a call)
  return ec == boost::asio::error::operation_aborted ||
         ec == boost::asio::experimental::error::channel_cancelled;
}

template <class T>
struct is_error_tuple : std::false_type {};
template <class... T>
struct is_error_tuple<std::tuple<error_code, T...>> : std::true_type {};

// Whether e holds the error an operation cancelled by its slot throws.
inline bool holds_operation_aborted(const std::exception_ptr& e) noexcept {
  const error_code ec = error_code_of(e);
  return ec == boost::asio::error::operation_aborted || ec == std::errc::operation_canceled;
}

template <class Handler>
class bound_handler {
 public:
  using cancellation_slot_type = boost::asio::cancellation_slot;

  template <class H>
  bound_handler(H&& h, bound_op* op) : handler_(std::forward<H>(h)), op_(op) {
    // Keep the token's own slot working: its emits are forwarded into the operation's.
    auto outer = boost::asio::get_associated_cancellation_slot(handler_);
    if (outer.is_connected()) outer.template emplace<outer_slot_proxy>(outer_slot_proxy{op_});
  }
  bound_handler(bound_handler&& o) noexcept(std::is_nothrow_move_constructible_v<Handler>)
      : handler_(std::move(o.handler_)), op_(std::exchange(o.op_, nullptr)) {}
  bound_handler& operator=(bound_handler&&) = delete;

  ~bound_handler() {
    if (op_ != nullptr) finish();  // destroyed without being invoked
  }

  cancellation_slot_type get_cancellation_slot() const noexcept { return op_->cancellation_slot(); }

  template <class... Args>
  void operator()(Args&&... args) {
    error_code ctx_err = finish();
    if (ctx_err)
      translated(ctx_err, std::forward<Args>(args)...);
    else
      std::move(handler_)(std::forward<Args>(args)...);
  }

  Handler& get() noexcept { return handler_; }
  const Handler& get() const noexcept { return handler_; }

 private:
  // Disconnects from the context and the outer slot; the context's error if it cancelled the
  // operation.
  error_code finish() noexcept {
    auto outer = boost::asio::get_associated_cancellation_slot(handler_);
    if (outer.is_connected()) outer.clear();
    return std::exchange(op_, nullptr)->complete();
  }

  template <class First, class... Rest>
  void translated(const error_code& ctx_err, First&& first, Rest&&... rest) {
    using first_type = std::decay_t<First>;
    if constexpr (std::is_same_v<first_type, error_code> ||
                  boost::system::is_error_code_enum<first_type>::value) {
      if (is_cancelled(error_code(first))) {
        std::move(handler_)(error_code(ctx_err), std::forward<Rest>(rest)...);
        return;
      }
    } else if constexpr (is_error_tuple<first_type>::value) {
      // as_tuple(token) inside bind: the result arrives packed.
      if (is_cancelled(std::get<0>(first))) {
        first_type t(std::forward<First>(first));
        std::get<0>(t) = ctx_err;
        std::move(handler_)(std::move(t), std::forward<Rest>(rest)...);
        return;
      }
    } else if constexpr (std::is_same_v<first_type, std::exception_ptr>) {
      // co_spawn's handler: the coroutine ended with the aborted operation's exception.
      if (holds_operation_aborted(first)) {
        std::move(handler_)(std::make_exception_ptr(boost::system::system_error(ctx_err)),
                            std::forward<Rest>(rest)...);
        return;
      }
    }
    std::move(handler_)(std::forward<First>(first), std::forward<Rest>(rest)...);
  }
  void translated(const error_code&) { std::move(handler_)(); }

  Handler handler_;
  bound_op* op_;
};

}  // namespace detail
}  // namespace asioctx

namespace boost {
namespace asio {

// Every association but the cancellation slot is the wrapped handler's.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, asioctx::detail::bound_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const asioctx::detail::bound_handler<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.get());
  }
  static auto get(const asioctx::detail::bound_handler<Handler>& h, const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.get(), c)) {
    return Associator<Handler, DefaultCandidate>::get(h.get(), c);
  }
};

// The allocator is the wrapped handler's too; where Asio offers its default (std::allocator), the
// candidate the wrapped handler is asked with is asioctx's block pool instead, so a handler with no
// allocator of its own has Asio allocate from this thread's free lists (op_pool.hpp), and one that
// names an allocator, std::allocator included, keeps it.
template <class Handler, class DefaultCandidate>
struct associator<associated_allocator, asioctx::detail::bound_handler<Handler>, DefaultCandidate> {
 private:
  static constexpr bool offer_pool = std::is_same_v<DefaultCandidate, std::allocator<void>>;
  using candidate = std::conditional_t<offer_pool, asioctx::detail::op_allocator<void>, DefaultCandidate>;
  using inner = associated_allocator<Handler, candidate>;

 public:
  using type = typename inner::type;
  static type get(const asioctx::detail::bound_handler<Handler>& h) noexcept {
    return inner::get(h.get(), candidate());
  }
  static type get(const asioctx::detail::bound_handler<Handler>& h, const DefaultCandidate& c) noexcept {
    if constexpr (offer_pool)
      return inner::get(h.get(), candidate());
    else
      return inner::get(h.get(), c);
  }
};

}  // namespace asio
}  // namespace boost

#endif  // ASIOCTX_DETAIL_BOUND_HANDLER_HPP
