//
// asioctx/impl/async_wait.hpp
//

#ifndef ASIOCTX_IMPL_ASYNC_WAIT_HPP
#define ASIOCTX_IMPL_ASYNC_WAIT_HPP

#include <asioctx/detail/op_pool.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <atomic>
#include <optional>

namespace asioctx {
namespace detail {

template <class Handler>
using tracked_executor_t =
    std::decay_t<decltype(boost::asio::prefer(boost::asio::get_associated_executor(std::declval<Handler&>()),
                                              boost::asio::execution::outstanding_work.tracked))>;

// A pending wait, completed once: by the context (fire) or by its own cancellation slot,
// whichever claims it first. Holds work on the handler's executor while pending.
template <class Handler>
class wait_op final : public waiter, public pooled {
 public:
  template <class H>
  wait_op(H&& h, cancel_node* node)
      : handler_(std::forward<H>(h)),
        work_(boost::asio::prefer(boost::asio::get_associated_executor(*handler_),
                                  boost::asio::execution::outstanding_work.tracked)),
        node_(node) {
    if (node_ != nullptr) node_->add_ref();
  }

  // The context is done (any thread).
  void fire(error_code err) noexcept override {
    if (claim()) deliver(err, true);
  }

  // The wait's own slot emitted (on the handler's executor).
  void cancel_from_slot() noexcept {
    if (!claim()) return;
    if (node_ != nullptr) remove_waiter(node_, this);
    deliver(boost::asio::error::operation_aborted, false);
  }

 private:
  struct invoke_fn {
    wait_op* op;
    error_code err;
    bool clear_slot;
    invoke_fn(wait_op* o, error_code e, bool c) noexcept : op(o), err(e), clear_slot(c) { op->add_ref(); }
    invoke_fn(invoke_fn&& o) noexcept
        : op(std::exchange(o.op, nullptr)), err(o.err), clear_slot(o.clear_slot) {}
    invoke_fn& operator=(invoke_fn&&) = delete;
    ~invoke_fn() {
      if (op != nullptr) op->release();
    }
    void operator()() {
      wait_op* self = std::exchange(op, nullptr);
      self->invoke(err, clear_slot);
      self->release();
    }
  };

  ~wait_op() override {
    if (node_ != nullptr) detail::release(node_);
  }

  bool claim() noexcept { return !claimed_.exchange(true, std::memory_order_acq_rel); }

  void deliver(error_code err, bool clear_slot) noexcept {
    auto ex = *work_;
    boost::asio::dispatch(ex, invoke_fn(this, err, clear_slot));
  }

  // Runs on the handler's executor.
  void invoke(error_code err, bool clear_slot) {
    Handler h(std::move(*handler_));
    handler_.reset();
    work_.reset();
    if (clear_slot) {
      auto slot = boost::asio::get_associated_cancellation_slot(h);
      if (slot.is_connected()) slot.clear();
    }
    std::move(h)(err);
  }

  std::optional<Handler> handler_;
  std::optional<tracked_executor_t<Handler>> work_;
  cancel_node* node_;  // null for a context that is never done
  std::atomic<bool> claimed_{false};
};

template <class Handler>
struct wait_slot_handler {
  wait_op<Handler>* op;
  explicit wait_slot_handler(wait_op<Handler>* o) noexcept : op(o) { op->add_ref(); }
  wait_slot_handler(const wait_slot_handler&) = delete;
  wait_slot_handler& operator=(const wait_slot_handler&) = delete;
  ~wait_slot_handler() { op->release(); }
  void operator()(boost::asio::cancellation_type) const noexcept { op->cancel_from_slot(); }
};

struct initiate_context_wait {
  template <class Handler>
  void operator()(Handler&& handler, const context& c) const {
    using handler_type = std::decay_t<Handler>;
    node* n = c.native_node();
    cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
    if (cn != nullptr) {
      if (error_code err = node_err(cn)) {
        auto ex = boost::asio::get_associated_executor(handler);
        boost::asio::post(ex, boost::asio::append(std::forward<Handler>(handler), err));
        return;
      }
      if (cn->has_deadline()) arm_deadline(cn, boost::asio::get_associated_executor(handler));
    }
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    auto* op = new wait_op<handler_type>(std::forward<Handler>(handler), cn);
    if (slot.is_connected()) slot.template emplace<wait_slot_handler<handler_type>>(op);
    if (cn != nullptr && !add_waiter(cn, op)) op->fire(node_err(cn));
    // A context that is never done, with no slot, can never complete the wait: like a pending
    // handler of a destroyed io_context, the handler is destroyed here without being called.
    op->release();
  }
};

}  // namespace detail

template <class Token>
auto async_wait(const context& c, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code)>(detail::initiate_context_wait{}, token, c);
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_ASYNC_WAIT_HPP
