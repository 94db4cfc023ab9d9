// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/executor_batch.hpp
//
// The bound operations of one context on one executor. A context keeps one batch per executor its
// operations complete on: the executor (copied once, not per operation) and the list of those
// operations. When the context is done, each batch is handed whole to its executor, which emits
// into every operation in it: the cancelling thread touches no operation, and each executor gets
// one dispatch.
//
// Ownership: while its context is live, the node's lock guards a batch. Once handed over, the
// batch belongs to the function dispatched to its executor alone; it frees itself when done.
//

#ifndef ASIOCTX_DETAIL_EXECUTOR_BATCH_HPP
#define ASIOCTX_DETAIL_EXECUTOR_BATCH_HPP

#include <asioctx/detail/access.hpp>
#include <asioctx/detail/bound_op.hpp>
#include <asioctx/detail/config.hpp>
#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/detail/tree.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/relationship.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <type_traits>
#include <utility>

namespace asioctx {
namespace detail {

class executor_batch : public list_hook<batch_tag> {
 public:
  executor_batch(const void* type, bool exact, bool keep_idle, context_core* core) noexcept
      : type_(type), exact_(exact), keep_idle_(keep_idle), core_(core) {
    core_->add_user();  // it must see its execution context's shutdown (dispatch())
  }
  executor_batch(const executor_batch&) = delete;
  executor_batch& operator=(const executor_batch&) = delete;

  // What executor_batch_impl::identity() gave for this batch's executor; with exact(), it names the
  // executor itself, and same() need not be asked.
  const void* type() const noexcept { return type_; }
  bool exact() const noexcept { return exact_; }
  // Whether the context may keep this batch once it has no operation, for the next ones: only
  // when its executor may be destroyed after its execution context is gone.
  bool keep_idle() const noexcept { return keep_idle_; }
  // Whether its execution context has shut down: an idle batch kept for it is then no batch of
  // any executor (another execution context may since have been built at its address).
  bool dead() const noexcept { return core_->dead(); }
  // Whether *executor (an executor of this batch's type) is this batch's executor.
  virtual bool same(const void* executor) const noexcept = 0;
  // Hands the batch to its executor; it is the dispatched function's from then on.
  virtual void dispatch() noexcept = 0;
  virtual void destroy() noexcept = 0;

  // On the executor: emits into every operation, one at a time. Or, when the executor will
  // never run it, lets every operation go.
  void run() noexcept {
    while (bound_op* op = ops_.pop_front()) {
      // Two ahead: the next operation was fetched during this one's predecessor, so its link is
      // at hand; each emit then finds its state word in cache.
      if (bound_op* next = ops_.front()) {
        next->prefetch_handler();
        if (bound_op* after = ops_.next(next)) prefetch(after);
      }
      op->emit_from_batch();
    }
  }
  void drop() noexcept {
    while (bound_op* op = ops_.pop_front()) op->drop_from_batch();
  }

 protected:
  virtual ~executor_batch() = default;

 private:
  friend struct tree;
  friend struct access;

  const void* type_;
  bool exact_;
  bool keep_idle_;

 protected:
  context_core* core_;

 private:
  intrusive_list<bound_op, op_tag> ops_;
  std::uint32_t count_ = 0;      // operations in ops_, while live
  std::uint32_t owed_ = 0;       // node references of operations that left, dropped in bulk
  deadline_arm* arm_ = nullptr;  // while count_ > 0: where they demand the context's deadline
};

// Runs a handed-over batch on its executor; dropped unrun, lets its operations go.
class batch_runner {
 public:
  explicit batch_runner(executor_batch* b) noexcept : batch_(b) {}
  batch_runner(batch_runner&& o) noexcept : batch_(std::exchange(o.batch_, nullptr)) {}
  batch_runner& operator=(batch_runner&&) = delete;
  ~batch_runner() {
    if (batch_ == nullptr) return;
    batch_->drop();
    batch_->destroy();
  }
  void operator()() {
    executor_batch* b = std::exchange(batch_, nullptr);
    b->run();
    b->destroy();
  }

 private:
  executor_batch* batch_;
};

// Whether an executor may be destroyed after its execution context: an untracked io_context or
// thread_pool executor is a pointer and nothing more. Any other (a strand, a tracked executor, a
// type-erased one) reaches into its execution context when destroyed, so a context must not keep
// a copy of it beyond its operations.
template <class Executor>
struct survives_its_context
    : std::bool_constant<std::is_same_v<Executor, boost::asio::io_context::executor_type> ||
                         std::is_same_v<Executor, boost::asio::thread_pool::executor_type>> {};

template <class Executor>
class executor_batch_impl final : public executor_batch, public pooled {
 public:
  // An io_context's executor is its io_context and two properties it carries at run time
  // (blocking.never, relationship.continuation): they are the batch's identity, compared inline,
  // as the executor's operator== compares them. Any other executor type is identified by the
  // address of this tag, then same().
  static constexpr bool exact = std::is_same_v<Executor, boost::asio::io_context::executor_type>;
  static constexpr char tag = 0;
  static const void* identity(const Executor& ex) noexcept {
    if constexpr (exact) {
      namespace exe = boost::asio::execution;
      static_assert(alignof(boost::asio::io_context) >= 4);
      auto id = reinterpret_cast<std::uintptr_t>(&boost::asio::query(ex, exe::context));
      if (boost::asio::query(ex, exe::blocking) == exe::blocking.never) id |= 1;
      if (boost::asio::query(ex, exe::relationship) == exe::relationship.continuation) id |= 2;
      return reinterpret_cast<const void*>(id);
    } else {
      return &tag;
    }
  }

  explicit executor_batch_impl(const Executor& ex)
      : executor_batch(identity(ex), exact, survives_its_context<Executor>::value,
                       core_of(boost::asio::query(ex, boost::asio::execution::context))),
        ex_(ex) {}

  // Makes a batch for *executor (an Executor): what tree::add_bound calls when it needs one.
  static executor_batch* make(const void* executor) {
    return new executor_batch_impl(*static_cast<const Executor*>(executor));
  }

  bool same(const void* executor) const noexcept override {
    return *static_cast<const Executor*>(executor) == ex_;
  }

  // Into the execution context only while it is live, in a bracket its shutdown waits for: a
  // cancel on one thread may race the execution context's destruction on another. Once it has
  // shut down, the operations are let go (its shutdown destroys their handlers).
  void dispatch() noexcept override {
    context_core* core = core_;
    if (!core->enter()) {
      core->leave();
      batch_runner dropped(this);  // lets the operations go, then destroys the batch: maybe the
      return;                      // core's last user, so after leave()
    }
    try {
      boost::asio::dispatch(ex_, batch_runner(this));
    } catch (...) {
      // Out of memory: the batch_runner let the operations go; they complete on their own.
    }
    core->leave();  // the core's service, still there, is a user: this batch was not the last
  }

  void destroy() noexcept override {
    context_core* core = core_;
    delete this;
    core->drop_user();
  }

 private:
  Executor ex_;
};

template <class Executor>
void bound_op::start(const Executor& ex, deadline_arm* arm) noexcept {
  switch (tree::add_bound(node_, this, executor_batch_impl<Executor>::identity(ex), &ex,
                          &executor_batch_impl<Executor>::make, arm)) {
    case tree::bound_added::linked:
      break;
    case tree::bound_added::done:  // alone in a batch of its own, handed over at once
      batch_->dispatch();
      break;
    case tree::bound_added::completed_first:  // the handler has let go of it
      free();
      break;
  }
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_EXECUTOR_BATCH_HPP
