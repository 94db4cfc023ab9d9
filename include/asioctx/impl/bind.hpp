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
#include <asioctx/detail/bound_handler.hpp>
#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/executor.hpp>
#include <asioctx/detail/executor_batch.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>

namespace asioctx {
namespace detail {

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
    using ex_type = std::decay_t<decltype(ex)>;
    if constexpr (std::is_same_v<ex_type, boost::asio::any_io_executor>) {
      // An I/O object's any_io_executor over an io_context: its batch is the io_context's own
      // executor (a pointer, compared inline; the same dispatch).
      if (const auto* io = ex.template target<boost::asio::io_context::executor_type>())
        return bind_on(std::move(init), std::move(ctx), c, boost::asio::io_context::executor_type(*io),
                       std::forward<Handler>(handler), std::forward<Args>(args)...);
    }
    // A reference is copied: the registration reads the executor once the operation is initiated,
    // when a reference could dangle (into the handler, which has moved into the operation, or into
    // the I/O object, which a completion on another thread, or inside the initiating function, may
    // have destroyed).
    if constexpr (std::is_lvalue_reference_v<decltype(ex)>)
      bind_on(std::move(init), std::move(ctx), c, ex_type(ex), std::forward<Handler>(handler),
              std::forward<Args>(args)...);
    else
      bind_on(std::move(init), std::move(ctx), c, ex, std::forward<Handler>(handler),
              std::forward<Args>(args)...);
  }

  template <class Executor, class Handler, class... Args>
  void bind_on(Initiation&& init, context ctx, cancel_node* c, const Executor& ex, Handler&& handler,
               Args&&... args) const {
    // A deadline whose timer already watches this execution context (something here waits on
    // it) is delivered by that timer: the bind needs no look at the clock. Otherwise it looks once,
    // and ends the context if the deadline passed unobserved, as its timer would have (DESIGN 14).
    deadline_arm* arm = arm_for(c, ex);
    const error_code err = tree::err(c, arm == nullptr || arm->demand.load(std::memory_order_relaxed) == 0);
    if constexpr (early_completion<Signature>::value) {
      if (err) {
        early_completion<Signature>::complete(std::forward<Handler>(handler), ex, err);
        return;
      }
    }
    bound_op* op = bound_op::make(c, type_);
    take_canceler(ctx);  // the operation now holds the context's reference to its node
    std::optional<bound_handler<std::decay_t<Handler>>> wrapped;
    try {
      wrapped.emplace(std::forward<Handler>(handler), op);
    } catch (...) {
      op->complete();  // not started: start() frees it
      op->start(ex, arm);
      throw;
    }
    try {
      std::move(init)(std::move(*wrapped), std::forward<Args>(args)...);
    } catch (...) {
      wrapped.reset();  // if the initiation did not take it, its handler lets go of op
      op->start(ex, arm);
      throw;
    }
    wrapped.reset();  // moved from: holds nothing
    op->start(ex, arm);
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

}  // namespace asio
}  // namespace boost

#endif  // ASIOCTX_IMPL_BIND_HPP
