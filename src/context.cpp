// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/context.cpp: the non-template parts of context.hpp.
//

#include <asioctx/context.hpp>

#include <ostream>
#include <vector>

namespace asioctx {

namespace {

using detail::access;
using detail::tree;

template <class Cancel>
derived<Cancel> make_derived(detail::node* n) {
  // A child born done comes with one reference, for the context: its cancel function, which
  // would cancel nothing, is empty.
  if (n->kind() == detail::node_kind::done) return derived<Cancel>{access::make<context>(n), Cancel()};
  // Any other comes with two references: one for the context, one for the cancel function.
  return derived<Cancel>{access::make<context>(n), access::make<Cancel>(access::make<context>(n))};
}

}  // namespace

context todo() noexcept {
  detail::node* n = tree::todo_node();
  n->add_ref();
  return access::make<context>(n);
}

void cancel_func::operator()(const source_location& where) const noexcept {
  if (detail::node* n = access::get(ctx_)) tree::cancel(n->canceler(), error::canceled, error_code(), where);
}

void cancel_cause_func::operator()(error_code cause, const source_location& where) const noexcept {
  if (detail::node* n = access::get(ctx_)) tree::cancel(n->canceler(), error::canceled, cause, where);
}

derived<cancel_func> with_cancel(const context& parent) {
  return make_derived<cancel_func>(tree::make_cancel(access::get(parent)));
}

derived<cancel_cause_func> with_cancel_cause(const context& parent) {
  return make_derived<cancel_cause_func>(tree::make_cancel(access::get(parent)));
}

derived<cancel_func> with_deadline(const context& parent, clock::time_point d, const source_location& where) {
  return with_deadline_cause(parent, d, error_code(), where);
}

derived<cancel_func> with_deadline_cause(const context& parent, clock::time_point d, error_code cause,
                                         const source_location& where) {
  return make_derived<cancel_func>(tree::make_deadline(access::get(parent), d, cause, where));
}

context without_cancel(const context& parent) {
  return access::make<context>(tree::make_without_cancel(access::get(parent)));
}

error_code cause(const context& c) { return tree::cause_of(access::get(c)); }

source_location cancel_site(const context& c) { return tree::site_of(access::get(c)); }

std::ostream& operator<<(std::ostream& os, const context& c) {
  // Collect the chain first: printing root-first without recursion, for chains of any depth.
  std::vector<const detail::node*> chain;
  for (const detail::node* n = access::get(c); n != nullptr; n = n->parent()) chain.push_back(n);
  if (chain.empty() || chain.back()->kind() != detail::node_kind::todo) os << "background";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) (*it)->print(os);
  if (error_code err = c.err()) {
    os << " [" << err.message();
    source_location site = cancel_site(c);
    if (site.line() != 0) {
      const char* file = site.file_name();
      for (const char* p = file; *p != '\0'; ++p)
        if (*p == '/' || *p == '\\') file = p + 1;
      os << " at " << file << ':' << site.line();
    }
    os << ']';
  }
  return os;
}

}  // namespace asioctx
