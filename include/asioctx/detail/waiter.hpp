// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/waiter.hpp
//
// Something a cancellable node notifies once it is done: an async_wait, an after_func
// registration, a std::stop_source. (Bound operations are kept apart, by executor: bound_op.hpp.)
//
// A linked waiter is owned by whoever registered it, who unlinks it before letting it go; the list
// holds no reference. The thread that finishes the node detaches every waiter under the node's
// lock (on_detached, which takes a reference for the notification), then, outside every lock,
// notifies them one by one (fire).
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
struct deadline_arm;
struct tree;

class waiter : public list_hook<> {
 public:
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;

  // Under the node's lock, as the node detaches this waiter to notify it.
  virtual void on_detached() noexcept = 0;

  // Outside every lock, on the thread that finished the node, once after on_detached().
  virtual void fire(const error_code& err) noexcept = 0;

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
  bool attached_ = false;        // in its node's list; guarded by the node's lock
  deadline_arm* arm_ = nullptr;  // where it demands the deadline while linked; guarded likewise
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_WAITER_HPP
