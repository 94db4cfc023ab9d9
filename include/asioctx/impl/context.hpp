//
// asioctx/impl/context.hpp: template bodies of context.hpp.
//

#ifndef ASIOCTX_IMPL_CONTEXT_HPP
#define ASIOCTX_IMPL_CONTEXT_HPP

#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>

#include <ostream>
#include <type_traits>

namespace asioctx {
namespace detail {

template <class T, class = void>
struct is_printable : std::false_type {};
template <class T>
struct is_printable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

class value_node_base : public node {
 public:
  const void* key() const noexcept { return key_; }
  const void* value() const noexcept { return value_; }

 protected:
  value_node_base(node* parent, const void* k, const char* name) noexcept
      : node(node_kind::value, parent, parent ? parent->canceler() : nullptr), key_(k), name_(name) {}

  const void* key_;
  const char* name_;
  const void* value_ = nullptr;  // points at the derived node's value
};

template <class T>
class value_node final : public value_node_base {
 public:
  template <class V>
  value_node(node* parent, const void* k, const char* name, V&& v)
      : value_node_base(parent, k, name), v_(std::forward<V>(v)) {
    value_ = &v_;
  }

  void print(std::ostream& os) const override {
    os << ".with_value(" << name_ << ", ";
    if constexpr (is_printable<T>::value)
      os << v_;
    else
      os << "<not printable>";
    os << ')';
  }

 private:
  T v_;
};

// An after_func registration: fired by the tree, or claimed by stop_func, never both.
class after_func_base : public waiter {
 public:
  explicit after_func_base(cancel_node* c) noexcept : node_(c) {}

  // Claims the right to run; the loser of fire/stop does nothing.
  bool claim() noexcept { return !claimed_.exchange(true, std::memory_order_acq_rel); }

  void fire(error_code) noexcept override {
    if (claim()) run();
  }

  bool stop() noexcept {
    if (!claim()) return false;
    if (node_ != nullptr) remove_waiter(node_, this);
    return true;
  }

 protected:
  ~after_func_base() override {
    if (node_ != nullptr) detail::release(node_);
  }
  virtual void run() noexcept = 0;

 private:
  std::atomic<bool> claimed_{false};
  cancel_node* node_;  // strong: a registration keeps its context linked, as in Go
};

template <class Executor, class F>
class after_func_op final : public after_func_base {
 public:
  after_func_op(cancel_node* c, const Executor& ex, F&& f)
      : after_func_base(c),
        ex_(ex),
        f_(std::move(f)),
        alive_(liveness_of(boost::asio::query(ex_, boost::asio::execution::context))) {}

 private:
  // An executor whose io_context is gone is never used: the registration is simply dropped.
  void run() noexcept override {
    call_if_alive(
        *alive_,
        [](void* self) {
          auto* op = static_cast<after_func_op*>(self);
          boost::asio::post(op->ex_, std::move(op->f_));
        },
        this);
  }

  Executor ex_;
  F f_;
  std::shared_ptr<timer_core> alive_;
};

}  // namespace detail

inline bool stop_func::operator()() const noexcept {
  return w_ != nullptr && static_cast<detail::after_func_base*>(w_)->stop();
}

template <class T>
const T* context::value(const key<T>& k) const noexcept {
  for (const detail::node* n = node_; n != nullptr; n = n->parent()) {
    if (n->kind() == detail::node_kind::value) {
      auto* v = static_cast<const detail::value_node_base*>(n);
      if (v->key() == &k) return static_cast<const T*>(v->value());
    }
  }
  return nullptr;
}

template <class T, class V>
context with_value(const context& parent, const key<T>& k, V&& v) {
  detail::node* p = parent.native_node();
  auto* n = new detail::value_node<T>(p, &k, k.name(), std::forward<V>(v));
  if (p != nullptr) p->add_ref();  // after construction, so a throwing T leaks nothing
  return context::adopt(n);
}

template <class Executor>
derived<cancel_func> with_deadline(const Executor& ex, const context& parent, clock::time_point d) {
  derived<cancel_func> r = with_deadline(parent, d);
  if (detail::cancel_node* c = r.ctx.native_node()->canceler()) detail::arm_deadline(c, ex);
  return r;
}

template <class Executor>
derived<cancel_func> with_timeout(const Executor& ex, const context& parent, clock::duration t) {
  return with_deadline(ex, parent, clock::now() + t);
}

template <class Executor, class F>
stop_func after_func(const context& c, const Executor& ex, F f) {
  detail::node* n = c.native_node();
  detail::cancel_node* cn = n ? n->canceler() : nullptr;
  if (cn != nullptr) static_cast<detail::node*>(cn)->add_ref();
  auto* op = new detail::after_func_op<Executor, F>(cn, ex, std::move(f));
  stop_func stop(op);  // adopts the creation reference
  if (cn != nullptr) {
    detail::arm_deadline(cn, ex);
    if (!detail::add_waiter(cn, op)) op->fire(detail::node_err(cn));
  }
  return stop;
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_CONTEXT_HPP
