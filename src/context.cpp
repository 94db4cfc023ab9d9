//
// src/context.cpp: the non-template parts of context.hpp.
//

#include <asioctx/context.hpp>

#include <ostream>
#include <vector>

namespace asioctx {

context todo() noexcept {
  detail::node* n = detail::todo_node();
  n->add_ref();
  return context::adopt(n);
}

void cancel_func::operator()() const noexcept {
  if (detail::node* n = ctx_.native_node()) detail::cancel(n->canceler(), error::canceled, error_code());
}

void cancel_cause_func::operator()(error_code cause) const noexcept {
  if (detail::node* n = ctx_.native_node()) detail::cancel(n->canceler(), error::canceled, cause);
}

namespace {

template <class Cancel>
derived<Cancel> make_derived(detail::node* n) {
  // n comes with two references: one for the context, one for the cancel function.
  return derived<Cancel>{context::adopt(n), Cancel(n)};
}

}  // namespace

derived<cancel_func> with_cancel(const context& parent) {
  return make_derived<cancel_func>(detail::make_cancel(parent.native_node()));
}

derived<cancel_cause_func> with_cancel_cause(const context& parent) {
  return make_derived<cancel_cause_func>(detail::make_cancel(parent.native_node()));
}

derived<cancel_func> with_deadline(const context& parent, clock::time_point d) {
  return with_deadline_cause(parent, d, error_code());
}

derived<cancel_func> with_timeout(const context& parent, clock::duration t) {
  return with_deadline_cause(parent, clock::now() + t, error_code());
}

derived<cancel_func> with_deadline_cause(const context& parent, clock::time_point d, error_code cause) {
  return make_derived<cancel_func>(detail::make_deadline(parent.native_node(), d, cause));
}

derived<cancel_func> with_timeout_cause(const context& parent, clock::duration t, error_code cause) {
  return with_deadline_cause(parent, clock::now() + t, cause);
}

context without_cancel(const context& parent) {
  return context::adopt(detail::make_without_cancel(parent.native_node()));
}

error_code cause(const context& c) { return detail::node_cause(c.native_node()); }

std::ostream& operator<<(std::ostream& os, const context& c) {
  // Collect the chain first: printing root-first without recursion, for chains of any depth.
  std::vector<const detail::node*> chain;
  for (const detail::node* n = c.native_node(); n != nullptr; n = n->parent()) chain.push_back(n);
  if (chain.empty() || chain.back()->kind() != detail::node_kind::todo) os << "background";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) (*it)->print(os);
  return os;
}

}  // namespace asioctx
