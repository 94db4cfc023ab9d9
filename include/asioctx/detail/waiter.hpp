//
// asioctx/detail/waiter.hpp
//
// Something a cancellable node notifies once it is done: a bound operation, an async_wait, an
// after_func registration, a std::stop_source.
//
// A linked waiter is owned by whoever registered it, who unlinks it before letting it go; the list
// holds no reference. The thread that finishes the node detaches every waiter under the node's
// lock (on_detached, which takes a reference for the notification), then, outside every lock,
// notifies them: one by one (fire), or, for waiters that share an executor, in one batch per
// executor (batching).
//

#ifndef ASIOCTX_DETAIL_WAITER_HPP
#define ASIOCTX_DETAIL_WAITER_HPP

#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/error.hpp>

#include <cstddef>

namespace asioctx {
namespace detail {

class waiter;
class cancel_node;
struct tree;

// How waiters that run on the same executor are notified together. One instance per executor
// type; two waiters can share a batch when they have the same instance and same() says so.
struct batch_ops {
  std::size_t (*hash)(const waiter& w) noexcept;
  bool (*same)(const waiter& a, const waiter& b) noexcept;
  // Notifies every waiter of the list on their shared executor; owns the references detached.
  void (*dispatch)(intrusive_list<waiter>&& batch) noexcept;
};

class waiter : public list_hook<> {
 public:
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;

  // Under the node's lock, as the node detaches this waiter to notify it.
  virtual void on_detached() noexcept = 0;

  // Outside every lock, on the thread that finished the node, once after on_detached().
  virtual void fire(const error_code& err) noexcept = 0;

  // Non-null if this waiter can be notified in a batch with others on the same executor.
  virtual const batch_ops* batching() const noexcept { return nullptr; }

  // The node is destroyed while this waiter, which holds no reference to it, is still linked.
  virtual void abandon() noexcept = 0;

  // Whether this waiter keeps the node's deadline armed (it has an executor to be woken on).
  virtual bool demands() const noexcept { return true; }

  // Identifies the waiters a node keeps at most one of (tree::with_unique_waiter); null for others.
  virtual const void* kind() const noexcept { return nullptr; }

 protected:
  waiter() noexcept = default;
  ~waiter() = default;

 private:
  friend struct tree;
  friend class cancel_node;
  bool attached_ = false;  // in its node's list; guarded by the node's lock
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_WAITER_HPP
