//
// asioctx/impl/bind.hpp: the async_result specialisation behind bind().
//

#ifndef ASIOCTX_IMPL_BIND_HPP
#define ASIOCTX_IMPL_BIND_HPP

#include <asioctx/detail/bound_op.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include <tuple>

namespace asioctx {
namespace detail {

template <class T, class = void>
struct has_get_executor : std::false_type {};
template <class T>
struct has_get_executor<T, std::void_t<decltype(std::declval<const T&>().get_executor())>> : std::true_type {
};

template <class T, class = void>
struct points_to_io_object : std::false_type {};
template <class T>
struct points_to_io_object<T*, std::void_t<decltype(std::declval<T&>().get_executor())>> : std::true_type {};

template <class T>
constexpr bool is_io_object_arg =
    has_get_executor<std::decay_t<T>>::value || points_to_io_object<std::decay_t<T>>::value;

// The executor of the first initiation argument that is (or points to) an I/O object.
template <class First, class... Rest>
auto io_object_executor(const First& first, const Rest&... rest) {
  if constexpr (has_get_executor<First>::value)
    return first.get_executor();
  else if constexpr (points_to_io_object<First>::value)
    return first->get_executor();
  else
    return io_object_executor(rest...);
}

// The executor an operation's handler runs on: its association, else the I/O object's. Composed
// operations (Beast's among them) often pass their stream as an argument rather than exposing
// it through the initiation, so the arguments are searched too.
template <class Initiation, class Handler, class... Args>
auto operation_executor(const Initiation& init, const Handler& h, const Args&... args) {
  if constexpr (has_get_executor<Initiation>::value)
    return boost::asio::get_associated_executor(h, init.get_executor());
  else if constexpr ((is_io_object_arg<Args> || ...))
    return boost::asio::get_associated_executor(h, io_object_executor(args...));
  else
    return boost::asio::get_associated_executor(h);
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
  static void post(Handler&& h, const Executor& ex, const error_code& err) {
    boost::asio::post(ex, boost::asio::append(std::forward<Handler>(h), err, std::decay_t<Rest>()...));
  }
};
template <class... Rest>
struct early_completion<void(const error_code&, Rest...)> : early_completion<void(error_code, Rest...)> {};

template <class T>
struct is_error_tuple : std::false_type {};
template <class... T>
struct is_error_tuple<std::tuple<error_code, T...>> : std::true_type {};

template <class Handler>
class bound_handler {
 public:
  using cancellation_slot_type = boost::asio::cancellation_slot;

  template <class H>
  bound_handler(H&& h, bound_op_base* op) : handler_(std::forward<H>(h)), op_(op) {
    // Keep the token's own slot working: its emits are forwarded into the operation's.
    auto outer = boost::asio::get_associated_cancellation_slot(handler_);
    if (outer.is_connected()) {
      outer.template emplace<outer_slot_proxy>(outer_slot_proxy{op_});
      outer_ = outer;
    }
  }
  bound_handler(bound_handler&& o) noexcept(std::is_nothrow_move_constructible_v<Handler>)
      : handler_(std::move(o.handler_)), op_(std::exchange(o.op_, nullptr)), outer_(o.outer_) {}
  bound_handler& operator=(bound_handler&&) = delete;

  ~bound_handler() {
    if (op_ != nullptr) finish();  // destroyed without being invoked
  }

  cancellation_slot_type get_cancellation_slot() const noexcept { return op_->slot(); }

  template <class... Args>
  void operator()(Args&&... args) {
    finish();
    invoke(std::forward<Args>(args)...);
  }

  Handler& get() noexcept { return handler_; }
  const Handler& get() const noexcept { return handler_; }

 private:
  // Disconnects from the context and the outer slot; remembers the context's error if the
  // context cancelled the operation.
  void finish() noexcept {
    bound_op_base* op = std::exchange(op_, nullptr);
    if (op->complete()) context_err_ = node_err(op->node());
    if (outer_.is_connected()) outer_.clear();
    op->release();
  }

  template <class First, class... Rest>
  void invoke(First&& first, Rest&&... rest) {
    if constexpr (std::is_same_v<std::decay_t<First>, error_code>) {
      if (context_err_ && first == boost::asio::error::operation_aborted) {
        std::move(handler_)(error_code(context_err_), std::forward<Rest>(rest)...);
        return;
      }
    } else if constexpr (is_error_tuple<std::decay_t<First>>::value) {
      // as_tuple(bind(ctx, token)): the result arrives packed.
      if (context_err_ && std::get<0>(first) == boost::asio::error::operation_aborted) {
        std::decay_t<First> translated(std::forward<First>(first));
        std::get<0>(translated) = context_err_;
        std::move(handler_)(std::move(translated), std::forward<Rest>(rest)...);
        return;
      }
    }
    std::move(handler_)(std::forward<First>(first), std::forward<Rest>(rest)...);
  }
  void invoke() { std::move(handler_)(); }

  Handler handler_;
  bound_op_base* op_;
  boost::asio::cancellation_slot outer_;
  error_code context_err_;
};

// Wraps an operation's initiation; inherits it so executor_type and get_executor() survive.
template <class Initiation, class Signature>
class bound_initiation : public Initiation {
 public:
  template <class I>
  bound_initiation(I&& init, const context& ctx, boost::asio::cancellation_type type)
      : Initiation(std::forward<I>(init)), ctx_(ctx), type_(type) {}

  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) {
    Initiation& init = *this;
    node* n = ctx_.native_node();
    cancel_node* c = n != nullptr ? n->canceler() : nullptr;
    if (c == nullptr) {  // never done: nothing to bind
      std::move(init)(std::forward<Handler>(handler), std::forward<Args>(args)...);
      return;
    }
    auto ex = operation_executor(init, handler, args...);
    if constexpr (early_completion<Signature>::value) {
      if (error_code err = node_err(c)) {
        early_completion<Signature>::post(std::forward<Handler>(handler), ex, err);
        return;
      }
    }
    arm_deadline(c, ex);
    auto* op = new bound_op<decltype(ex)>(c, type_, ex);
    bound_handler<std::decay_t<Handler>> wrapped(std::forward<Handler>(handler), op);
    op->add_ref();  // start()'s, released below: the handler may complete before start() returns
    std::move(init)(std::move(wrapped), std::forward<Args>(args)...);
    op->start();
    op->release();
  }

 private:
  context ctx_;
  boost::asio::cancellation_type type_;
};

template <class... Signatures>
struct first_signature;
template <class S, class... Rest>
struct first_signature<S, Rest...> {
  using type = S;
};

}  // namespace detail
}  // namespace asioctx

namespace boost {
namespace asio {

template <class Token, class... Signatures>
struct async_result<asioctx::bound_token<Token>, Signatures...> {
  // The wrapped initiation; an error_code-first signature decides the early completion.
  template <class Initiation>
  using bound_initiation =
      asioctx::detail::bound_initiation<std::decay_t<Initiation>,
                                        typename asioctx::detail::first_signature<Signatures...>::type>;

  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& init, RawToken&& token, Args&&... args)
      -> decltype(async_initiate<Token, Signatures...>(std::declval<bound_initiation<Initiation>>(),
                                                       token.get_token(), std::forward<Args>(args)...)) {
    return async_initiate<Token, Signatures...>(
        bound_initiation<Initiation>(std::forward<Initiation>(init), token.get_context(),
                                     token.get_cancellation_type()),
        token.get_token(), std::forward<Args>(args)...);
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
