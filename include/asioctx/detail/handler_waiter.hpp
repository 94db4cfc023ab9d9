// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/handler_waiter.hpp
//
// The one protocol for a type-erased completion handler that waits for something (a context,
// a group, a server's shutdown): async_wait, after_func, group::async_wait and
// http::server::async_shutdown are all built on it.
//
// A handler_waiter holds an any_completion_handler and the executor it completes on, and is
// enrolled with that executor's execution context (context_core). It is ended exactly once, by
// the first of three claimers:
// - complete(args): what it waits for happened; the handler is posted with args to its
//   executor (never run inline: the claimer may be any thread, inside any call);
// - abort(args) / discard(): a canceller (its own cancellation slot, a stop_func) took it out of
//   whatever lists it (unlink()) and posts the handler with args, or destroys it unrun;
// - the execution context's shutdown: destroys the handler unrun, as Asio destroys its own
//   pending handlers, and unlinks the waiter.
// A claimer that finds the execution context shut down between its claim and its use leaves the
// handler to the shutdown, which then destroys it (registered::settle). Nothing of the handler
// or its executor is used after the waiter has ended, or outside a bracket in which the
// execution context is known to be live.
//

#ifndef ASIOCTX_DETAIL_HANDLER_WAITER_HPP
#define ASIOCTX_DETAIL_HANDLER_WAITER_HPP

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/ref_count.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <optional>
#include <tuple>
#include <utility>

namespace asioctx {
namespace detail {

// Whether a pending waiter counts as outstanding work on its executor.
enum class waiter_work : bool { untracked, tracked };

// The handler and its arguments, posted to the handler's executor.
template <class... Args>
struct waiter_completion {
  boost::asio::any_completion_handler<void(Args...)> handler;
  std::tuple<Args...> args;
  bool clear_slot;  // a slot handler of the waiter's is installed: the slot is the executor's

  void operator()() {
    if (clear_slot) handler.get_cancellation_slot().clear();
    std::apply(std::move(handler), std::move(args));
  }
};

template <class... Args>
class handler_waiter : public registered {
 public:
  using handler_type = boost::asio::any_completion_handler<void(Args...)>;

  void add_ref() noexcept { refs_.add(); }
  void release() noexcept {
    if (refs_.release()) destroy();
  }

  // The claimers. Each returns true if it won the claim (and so ended the waiter).
  // What the waiter waits for happened: posts the handler with args.
  bool complete(Args... args) noexcept {
    if (!claim()) return false;
    settle_and_end([&] { post(std::move(args)...); });
    return true;
  }
  // A canceller: unlinks the waiter, then posts the handler with args.
  bool abort(Args... args) noexcept {
    if (!claim()) return false;
    unlink();
    settle_and_end([&] { post(std::move(args)...); });
    return true;
  }
  // A canceller: unlinks the waiter and destroys the handler unrun.
  bool discard() noexcept {
    if (!claim()) return false;
    unlink();
    settle_and_end([this] { drop(); });
    return true;
  }

 protected:
  // refs: the pending waiter's own (released when it ends) and any its owner keeps.
  explicit handler_waiter(std::uint32_t refs = 1) noexcept : refs_(refs) {}
  ~handler_waiter() = default;

  // Takes h, to be completed on ex (its associated executor, which the caller chose), and
  // enrolls with ex's execution context. False if that has shut down: h is destroyed unrun and
  // the waiter ended at once (the caller may no longer use it unless it keeps a reference of
  // its own). If erasing h throws, the waiter is ended likewise and the exception propagates.
  template <class Handler, class Executor>
  bool open(Handler&& h, const Executor& ex, waiter_work work) {
    context_core* core = nullptr;
    try {
      core = core_of_executor(ex);
      handler_type(std::forward<Handler>(h)).swap(handler_);  // (Asio 1.26's move assignment nests)
      // Never blocking: a claimer on the executor's own thread must not run the handler inline.
      auto never = boost::asio::prefer(ex, boost::asio::execution::blocking.never);
      if (work == waiter_work::tracked)
        ex_.emplace(boost::asio::prefer(never, boost::asio::execution::outstanding_work.tracked));
      else
        ex_.emplace(never);
    } catch (...) {
      abandon_open();
      throw;
    }
    if (!core->enroll(this)) {
      abandon_open();
      return false;
    }
    core_ = core;
    return true;
  }

  // Cancels the waiter (abort) when the handler's own cancellation slot is emitted; after open().
  void watch_slot() {
    auto slot = handler_.get_cancellation_slot();
    if (!slot.is_connected()) return;
    add_ref();
    slot.template emplace<slot_handler>(this);
    slot_ = true;
  }

  // Owner hooks.
  virtual void destroy() noexcept = 0;      // the last reference went
  virtual void unlink() noexcept {}         // a canceller or the shutdown claimed the waiter
  virtual void slot_cancelled() noexcept {  // the handler's own slot was emitted
  }

 private:
  struct slot_handler {
    handler_waiter* w;
    explicit slot_handler(handler_waiter* p) noexcept : w(p) {}
    slot_handler(const slot_handler&) = delete;
    slot_handler& operator=(const slot_handler&) = delete;
    ~slot_handler() { w->release(); }
    void operator()(boost::asio::cancellation_type) const noexcept { w->slot_cancelled(); }
  };

  // Claimed: uses the handler inside a bracket while the execution context is live, else leaves
  // it to on_shutdown (orphaned); then ends the waiter.
  template <class Use>
  void settle_and_end(Use use) noexcept {
    if (core_ != nullptr) settle(core_, use);
    end();
  }

  // Posts the handler with args; out of memory, destroys it.
  void post(Args... args) noexcept {
    try {
      boost::asio::post(*ex_, waiter_completion<Args...>{std::move(handler_), {std::move(args)...}, slot_});
    } catch (...) {
    }
    drop();
  }

  void drop() noexcept {
    if (slot_ && handler_) handler_.get_cancellation_slot().clear();
    handler_ = nullptr;
    ex_.reset();  // a strand's copy must go while its execution context exists
  }

  void end() noexcept {
    if (core_ != nullptr) core_->withdraw(this);
    release();  // the pending waiter's
  }

  void abandon_open() noexcept {
    (void)claim();
    handler_ = nullptr;
    ex_.reset();
    release();  // the pending waiter's
  }

  void pin() noexcept override { add_ref(); }
  void unpin() noexcept override { release(); }

  // The execution context shuts down: whatever is left of the handler is destroyed unrun.
  void on_shutdown() noexcept override {
    switch (take_for_shutdown()) {
      case shutdown_share::claimed_now:
        unlink();
        drop();
        end();
        break;
      case shutdown_share::left:  // a claimer found it shut down; it ends the waiter
        drop();
        break;
      case shutdown_share::nothing:  // a claimer posted or destroyed the handler
        break;
    }
  }

  handler_type handler_;
  std::optional<boost::asio::any_io_executor> ex_;
  context_core* core_ = nullptr;  // enrolled there while pending
  ref_count refs_;
  bool slot_ = false;
};

// A handler_waiter nothing lists: the waiter of group::async_wait and of the HTTP server's
// async_shutdown. Move-only; destroyed unclaimed, it discards the handler.
template <class... Args>
class pending_handler {
 public:
  pending_handler() noexcept = default;
  template <class Handler, class Executor>
  pending_handler(Handler&& h, const Executor& ex, waiter_work work) : w_(new waiter) {
    w_->add_ref();  // ours, beside the pending waiter's
    try {
      w_->start(std::forward<Handler>(h), ex, work);
    } catch (...) {
      std::exchange(w_, nullptr)->release();
      throw;
    }
  }
  pending_handler(pending_handler&& o) noexcept : w_(std::exchange(o.w_, nullptr)) {}
  pending_handler& operator=(pending_handler&& o) noexcept {
    pending_handler(std::move(o)).swap(*this);
    return *this;
  }
  ~pending_handler() {
    if (w_ == nullptr) return;
    w_->discard();
    w_->release();
  }
  void swap(pending_handler& o) noexcept { std::swap(w_, o.w_); }
  explicit operator bool() const noexcept { return w_ != nullptr; }

  // Posts the handler with args, unless the shutdown of its execution context destroyed it.
  void complete(Args... args) noexcept {
    if (w_ != nullptr) w_->complete(std::move(args)...);
  }

 private:
  class waiter final : public handler_waiter<Args...> {
   public:
    template <class Handler, class Executor>
    void start(Handler&& h, const Executor& ex, waiter_work work) {
      this->open(std::forward<Handler>(h), ex, work);
    }

   private:
    void destroy() noexcept override { delete this; }
  };

  waiter* w_ = nullptr;
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_HANDLER_WAITER_HPP
