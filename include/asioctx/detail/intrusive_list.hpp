// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/intrusive_list.hpp
//
// The one intrusive list of the library (and, at the end, the one free-list stack): circular, doubly linked,
// with a head pointer only, so an empty list costs one pointer. Used for a node's children, a node's waiters,
// the waiters an execution context must destroy at shutdown, and batches of emits. Not thread-safe: every
// list is guarded by the lock of whoever owns it.
//

#ifndef ASIOCTX_DETAIL_INTRUSIVE_LIST_HPP
#define ASIOCTX_DETAIL_INTRUSIVE_LIST_HPP

#include <utility>

namespace asioctx {
namespace detail {

// Membership of one list; Tag tells apart the hooks of an object that is in several lists.
template <class Tag = void>
class list_hook {
 public:
  list_hook() noexcept = default;
  list_hook(const list_hook&) = delete;
  list_hook& operator=(const list_hook&) = delete;

  bool is_linked() const noexcept { return next_ != nullptr; }

 private:
  template <class T, class U>
  friend class intrusive_list;

  list_hook* prev_ = nullptr;
  list_hook* next_ = nullptr;
};

template <class T, class Tag = void>
class intrusive_list {
  using hook = list_hook<Tag>;

 public:
  intrusive_list() noexcept = default;
  intrusive_list(intrusive_list&& o) noexcept : head_(std::exchange(o.head_, nullptr)) {}
  intrusive_list& operator=(intrusive_list&& o) noexcept {
    head_ = std::exchange(o.head_, nullptr);
    return *this;
  }

  bool empty() const noexcept { return head_ == nullptr; }
  T* front() const noexcept { return head_ == nullptr ? nullptr : cast(head_); }
  T* back() const noexcept { return head_ == nullptr ? nullptr : cast(head_->prev_); }

  // The element after x, or null at the end.
  T* next(T* x) const noexcept {
    hook* n = static_cast<hook*>(x)->next_;
    return n == head_ ? nullptr : cast(n);
  }

  void push_back(T* x) noexcept {
    hook* h = x;
    if (head_ == nullptr) {
      h->prev_ = h->next_ = h;
      head_ = h;
      return;
    }
    h->next_ = head_;
    h->prev_ = head_->prev_;
    head_->prev_->next_ = h;
    head_->prev_ = h;
  }

  void push_front(T* x) noexcept {
    push_back(x);
    head_ = static_cast<hook*>(x);
  }

  // Unlinks x, which must be in this list.
  void erase(T* x) noexcept {
    hook* h = x;
    if (h->next_ == h) {
      head_ = nullptr;
    } else {
      h->prev_->next_ = h->next_;
      h->next_->prev_ = h->prev_;
      if (head_ == h) head_ = h->next_;
    }
    h->prev_ = h->next_ = nullptr;
  }

  T* pop_front() noexcept {
    T* x = front();
    if (x != nullptr) erase(x);
    return x;
  }

  // Appends every element of o, leaving o empty.
  void splice_back(intrusive_list& o) noexcept {
    if (o.head_ == nullptr) return;
    if (head_ == nullptr) {
      head_ = std::exchange(o.head_, nullptr);
      return;
    }
    hook* tail = head_->prev_;
    hook* otail = o.head_->prev_;
    tail->next_ = o.head_;
    o.head_->prev_ = tail;
    otail->next_ = head_;
    head_->prev_ = otail;
    o.head_ = nullptr;
  }

 private:
  static T* cast(hook* h) noexcept { return static_cast<T*>(h); }

  hook* head_ = nullptr;
};

// The one singly linked stack, for free lists: T keeps its link in the member Next.
template <class T, T* T::*Next>
class intrusive_stack {
 public:
  bool empty() const noexcept { return top_ == nullptr; }
  void push(T* x) noexcept {
    x->*Next = top_;
    top_ = x;
  }
  T* pop() noexcept {
    T* x = top_;
    if (x != nullptr) top_ = x->*Next;
    return x;
  }

 private:
  T* top_ = nullptr;
};

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_INTRUSIVE_LIST_HPP
