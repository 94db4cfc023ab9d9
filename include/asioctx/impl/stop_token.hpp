// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/stop_token.hpp: the bodies of stop_token.hpp (header-only: the compiled library
// is C++17).
//

#ifndef ASIOCTX_IMPL_STOP_TOKEN_HPP
#define ASIOCTX_IMPL_STOP_TOKEN_HPP

#include <asioctx/detail/context_core.hpp>

#include <optional>
#include <ostream>
#include <utility>

namespace asioctx {
namespace detail {

// The callback a stop_token runs: cancels the node, recording with_stop_token's call.
struct stop_cancel {
  cancel_node* node;
  source_location where;
  void operator()() const noexcept { tree::cancel(node, error::canceled, error_code(), where); }
};

// A with_stop_token context: a cancellable node listening to a stop_token.
class stop_node final : public cancel_node {
 public:
  explicit stop_node(node* parent) noexcept : cancel_node(parent) {}

  // Registers with st; cancels at once (on this thread) if st is stopped already.
  void listen(std::stop_token st, const source_location& where) {
    callback_.emplace(std::move(st), stop_cancel{this, where});
  }

  void print(std::ostream& os) const override { os << ".with_stop_token"; }

 private:
  // The callback goes first: its destructor waits for a run of it on another thread to finish,
  // while the node is still whole.
  ~stop_node() override { callback_.reset(); }

  std::optional<std::stop_callback<stop_cancel>> callback_;
};

// The stop_source a context's get_stop_token() shares: a waiter the node owns (at most one per
// node), whose stop is requested inline when the node is done.
class stop_source_waiter final : public waiter, public pooled {
 public:
  std::stop_source source;

  const void* kind() const noexcept override { return &tag; }
  bool demands() const noexcept override { return false; }  // no executor to arm a deadline on
  void on_detached() noexcept override {}                   // the notification takes it over
  void fire(const error_code&) noexcept override {
    source.request_stop();  // user code (stop callbacks) runs here, outside every lock
    delete this;
  }
  void abandon() noexcept override { delete this; }

 private:
  static constexpr char tag = 0;
};

}  // namespace detail

inline derived<cancel_func> with_stop_token(const context& parent, std::stop_token st,
                                            const source_location& where) {
  detail::node* p = detail::access::get(parent);
  auto* n = new detail::stop_node(p);
  if (p != nullptr) p->add_ref();
  detail::tree::link_to_parent(n);
  derived<cancel_func> d{
      detail::access::make<context>(static_cast<detail::node*>(n)),
      detail::access::make<cancel_func>(detail::access::make<context>(static_cast<detail::node*>(n)))};
  if (st.stop_possible() && n->state() == 0) n->listen(std::move(st), where);
  return d;
}

inline std::stop_token get_stop_token(const context& c) {
  detail::node* n = detail::access::get(c);
  detail::cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
  if (cn == nullptr) return std::stop_token();  // never done: stop_possible() is false
  auto* candidate = new detail::stop_source_waiter;
  std::stop_token token;
  auto take = [](detail::waiter* w, void* out) {
    *static_cast<std::stop_token*>(out) = static_cast<detail::stop_source_waiter*>(w)->source.get_token();
  };
  if (!detail::tree::with_unique_waiter(cn, candidate, take, &token)) {  // done already
    candidate->source.request_stop();
    token = candidate->source.get_token();
    delete candidate;
  } else if (token != candidate->source.get_token()) {
    delete candidate;  // the node had one
  }
  return token;
}

template <class Executor>
std::stop_token get_stop_token(Executor&& ex, const context& c) {
  std::stop_token token = get_stop_token(c);
  detail::node* n = detail::access::get(c);
  if (detail::cancel_node* cn = n != nullptr ? n->canceler() : nullptr) {
    auto&& e = detail::executor_of(ex);
    detail::tree::pin(cn, detail::arm_for(cn, e));
  }
  return token;
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_STOP_TOKEN_HPP
