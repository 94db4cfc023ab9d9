// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/bind.hpp: the async_result specialisations behind bind().
//

#ifndef ASIOCTX_IMPL_BIND_HPP
#define ASIOCTX_IMPL_BIND_HPP

#include <asioctx/detail/adapters.hpp>
#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/config.hpp>
#include <asioctx/detail/executor.hpp>

#include <boost/asio/append.hpp>
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
#include <system_error>
#include <tuple>

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
  return ec == boost::asio::error::operation_aborted ||
         ec == boost::asio::experimental::error::channel_cancelled;
}

template <class T>
struct is_error_tuple : std::false_type {};
template <class... T>
struct is_error_tuple<std::tuple<error_code, T...>> : std::true_type {};

// Whether e holds the error an operation cancelled by its slot throws.
inline bool holds_operation_aborted(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& x) {
    return x.code() == boost::asio::error::operation_aborted;
  } catch (const std::system_error& x) {
    return x.code() == std::errc::operation_canceled;
  } catch (...) {
  }
  return false;
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

  cancellation_slot_type get_cancellation_slot() const noexcept { return op_->slot(); }

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

// Holds an operation's initiation; derives from it when it can, so executor_type and
// get_executor() stay visible to whoever asks (Asio's adapters do the same).
template <class Initiation, bool = std::is_class_v<Initiation> && !std::is_final_v<Initiation>>
class initiation_holder : public Initiation {
 protected:
  template <class I>
  explicit initiation_holder(I&& i) : Initiation(std::forward<I>(i)) {}
  Initiation& initiation() noexcept { return *this; }
  const Initiation& initiation() const noexcept { return *this; }
};
template <class Initiation>
class initiation_holder<Initiation, false> {
 protected:
  template <class I>
  explicit initiation_holder(I&& i) : init_(std::forward<I>(i)) {}
  Initiation& initiation() noexcept { return init_; }
  const Initiation& initiation() const noexcept { return init_; }

 private:
  Initiation init_;
};

// The cancellable node a context's handle refers to, taking over the handle's reference.
inline cancel_node* take_canceler(context& ctx) noexcept {
  node* n = access::steal(ctx);
  cancel_node* c = n->canceler();
  if (c != n) {
    c->add_ref();
    tree::release(n);
  }
  return c;
}

// Wraps an operation's initiation: the handler is bound to the context once the operation is
// initiated.
template <class Initiation, class Signature>
class bound_initiation : public initiation_holder<Initiation> {
 public:
  template <class I>
  bound_initiation(I&& init, context ctx, boost::asio::cancellation_type type)
      : initiation_holder<Initiation>(std::forward<I>(init)), ctx_(std::move(ctx)), type_(type) {}

  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) && {
    run(std::move(this->initiation()), std::move(ctx_), std::forward<Handler>(handler),
        std::forward<Args>(args)...);
  }
  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) const& {
    run(Initiation(this->initiation()), context(ctx_), std::forward<Handler>(handler),
        std::forward<Args>(args)...);
  }

 private:
  template <class Handler, class... Args>
  void run(Initiation&& init, context ctx, Handler&& handler, Args&&... args) const {
    node* n = access::get(ctx);
    cancel_node* c = n != nullptr ? n->canceler() : nullptr;
    if (c == nullptr) {  // never done: nothing to bind
      std::move(init)(std::forward<Handler>(handler), std::forward<Args>(args)...);
      return;
    }
    decltype(auto) candidate = candidate_executor(init, args...);
    decltype(auto) ex = operation_executor(handler, candidate);
    if constexpr (std::is_lvalue_reference_v<decltype(ex)>) {
      // A reference into the handler (its get_executor() returns one) would dangle once the
      // handler moves into the operation: copied. The candidate itself stays a reference.
      if (static_cast<const void*>(std::addressof(ex)) !=
          static_cast<const void*>(std::addressof(candidate))) {
        std::decay_t<decltype(ex)> copy(ex);
        bind_on(std::move(init), std::move(ctx), c, copy, std::forward<Handler>(handler),
                std::forward<Args>(args)...);
        return;
      }
    }
    bind_on(std::move(init), std::move(ctx), c, ex, std::forward<Handler>(handler),
            std::forward<Args>(args)...);
  }

  template <class Executor, class Handler, class... Args>
  void bind_on(Initiation&& init, context ctx, cancel_node* c, const Executor& ex, Handler&& handler,
               Args&&... args) const {
    if constexpr (early_completion<Signature>::value) {
      if (error_code err = tree::err(c)) {
        early_completion<Signature>::complete(std::forward<Handler>(handler), ex, err);
        return;
      }
    }
    deadline_arm* home = arm_for(c, ex);
    auto* op = new bound_op(c, type_);
    take_canceler(ctx);  // the operation now holds the context's reference to its node
    std::optional<bound_handler<std::decay_t<Handler>>> wrapped;
    try {
      wrapped.emplace(std::forward<Handler>(handler), op);
    } catch (...) {
      op->release();  // the handler's
      op->release();  // start()'s
      throw;
    }
    try {
      std::move(init)(std::move(*wrapped), std::forward<Args>(args)...);
    } catch (...) {
      wrapped.reset();  // if the initiation did not take it
      op->release();
      throw;
    }
    wrapped.reset();  // moved from: holds nothing
    op->start(ex, home);
  }

  context ctx_;
  boost::asio::cancellation_type type_;
};

template <class... Signatures>
struct first_signature;
template <class S, class... Rest>
struct first_signature<S, Rest...> {
  using type = S;
};

// Old-style Asio code names async_result<Token, Signature>::return_type (Beast's declarations
// on Boost 1.81): it is the wrapped token's.
template <class Result, class = void>
struct return_type_of {};
template <class Result>
struct return_type_of<Result, std::void_t<typename Result::return_type>> {
  using return_type = typename Result::return_type;
};

// Whether a bound token passed as Raw may be moved from.
template <class Raw>
constexpr bool may_steal = !std::is_lvalue_reference_v<Raw> && !std::is_const_v<std::remove_reference_t<Raw>>;

template <class Raw>
context forward_context(Raw&& token) {
  if constexpr (may_steal<Raw>)
    return std::move(token).take_context();
  else
    return token.get_context();
}

}  // namespace detail
}  // namespace asioctx

namespace boost {
namespace asio {

template <class Token, class... Signatures>
struct async_result<asioctx::bound_token<Token>, Signatures...>
    : asioctx::detail::return_type_of<async_result<Token, Signatures...>> {
  template <class Initiation>
  using bound_initiation =
      asioctx::detail::bound_initiation<std::decay_t<Initiation>,
                                        typename asioctx::detail::first_signature<Signatures...>::type>;

  // The wrapped token is moved out of an rvalue bound token, copied out of any other (Asio 1.81's
  // own adapters do not all take const tokens).
  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& init, RawToken&& token, Args&&... args)
      -> decltype(async_initiate<Token, Signatures...>(std::declval<bound_initiation<Initiation>>(),
                                                       std::declval<Token&>(), std::forward<Args>(args)...)) {
    bound_initiation<Initiation> bound(std::forward<Initiation>(init),
                                       asioctx::detail::forward_context(std::forward<RawToken>(token)),
                                       token.get_cancellation_type());
    if constexpr (asioctx::detail::may_steal<RawToken>) {
      return async_initiate<Token, Signatures...>(std::move(bound), token.get_token(),
                                                  std::forward<Args>(args)...);
    } else {
      Token copy(
          static_cast<const Token&>(token.get_token()));  // the copy constructor, not a greedy template
      return async_initiate<Token, Signatures...>(std::move(bound), copy, std::forward<Args>(args)...);
    }
  }
};

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

}  // namespace asio
}  // namespace boost

#endif  // ASIOCTX_IMPL_BIND_HPP
