// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Tutorial step 5: what a context carries besides cancellation. Request-scoped values, a cause
// that says which budget ran out, after_func for cleanup, and without_cancel for work that must
// outlive the request. C++17.
#include <asioctx.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace net = boost::asio;
using namespace std::chrono_literals;

//[values_keys
// Keys are objects with static storage duration; their address is their identity, as an
// unexported key type is in Go.
inline const asioctx::key<std::string> request_id{"request_id"};
inline const asioctx::key<int> attempt{"attempt"};
//]

// An application error to give as a cause: the reason behind a deadline, in the caller's terms.
const boost::system::error_category& app_category() {
  struct category : boost::system::error_category {
    const char* name() const noexcept override { return "app"; }
    std::string message(int) const override { return "payment service budget spent"; }
  };
  static const category instance;
  return instance;
}

int main() {
  net::io_context io;

  //[values_lookup
  auto request = asioctx::with_value(asioctx::background(), request_id, "req-7");
  auto first_try = asioctx::with_value(request, attempt, 1);
  auto retry = asioctx::with_value(first_try, attempt, 2);  // shadows attempt, keeps request_id
  std::cout << *retry.value(request_id) << " attempt " << *retry.value(attempt) << '\n';
  std::cout << "context: " << retry << '\n';
  //]

  //[values_cause
  // The deadline's cause is what asioctx::cause() reports if it fires; err() stays Go's word.
  const asioctx::error_code budget_spent(1, app_category());
  auto [ctx, cancel] = asioctx::with_timeout_cause(retry, 50ms, budget_spent);

  // Go's context.AfterFunc: runs on the executor once ctx is done, and arms its deadline there.
  asioctx::after_func(ctx, io.get_executor(), [ctx = ctx] {
    std::cout << "cleanup for " << *ctx.value(request_id) << ": " << ctx.err().message()
              << " (cause: " << asioctx::cause(ctx).message() << ")\n";
  });
  auto stop = asioctx::after_func(ctx, io.get_executor(), [] { std::cout << "never printed\n"; });
  bool stopped = stop();  // true: this call kept the function from running

  // An audit record is written after the request ends: same values, none of its cancellation.
  auto audit = asioctx::without_cancel(ctx);
  //]

  io.run();  // returns once the deadline fired and the cleanup ran
  cancel();
  std::cout << "second after_func stopped: " << std::boolalpha << stopped << '\n';
  std::cout << "audit context live: " << !audit.done() << ", request " << *audit.value(request_id) << '\n';
  bool ok = stopped && ctx.err() == asioctx::error::deadline_exceeded &&
            asioctx::cause(ctx) == budget_spent && !audit.done() && !audit.deadline();
  return ok ? 0 : 1;
}
