// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// One request fans out to four concurrent operations, each on its own strand of a thread pool;
// a single cancel() from the main thread ends them all.
#include <asioctx.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <iostream>
#include <latch>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;

struct operation {
  net::strand<net::thread_pool::executor_type> strand;
  net::steady_timer timer;
  // Written by the handler on the strand; read by main only after the latch.
  asioctx::error_code result{};
  bool ran_on_strand = false;
};

int main() {
  constexpr int n = 4;
  net::thread_pool pool(4);
  auto [request, cancel] = asioctx::with_cancel(asioctx::background());

  // The timers belong to the pool, not to a strand: the strand comes from the handler alone.
  // That is where asioctx::bind dispatches the cancellation as well, so it never races the
  // operation's completion.
  std::vector<operation> ops;
  for (int i = 0; i < n; ++i) ops.push_back({net::make_strand(pool), net::steady_timer(pool, 1h)});

  //[cancel_tree_fanout
  std::latch done(n);
  for (operation& op : ops) {
    // A child per operation, as for a sub-request with its own deadline: cancelling the request
    // reaches it all the same, and it reports canceled, since that is why it ended. Its cancel
    // function may be dropped: a context nobody references any more unlinks itself.
    auto sub = asioctx::with_timeout(request, 30min).ctx;
    auto on_done = [&op, &done](asioctx::error_code ec) {
      op.ran_on_strand = op.strand.running_in_this_thread();
      op.result = ec;
      done.count_down();
    };
    op.timer.async_wait(asioctx::bind(sub, net::bind_executor(op.strand, on_done)));
  }
  cancel();  // one call, from a thread that runs none of the strands
  done.wait();
  //]

  int canceled = 0;
  for (int i = 0; i < n; ++i) {
    std::cout << "operation " << i << ": " << ops[i].result.message()
              << (ops[i].ran_on_strand ? ", on its strand" : ", NOT on its strand") << '\n';
    canceled += ops[i].ran_on_strand && ops[i].result == asioctx::error::canceled;
  }
  // Returns at once: the timers' waits have ended, and the children's half-hour deadlines hold the
  // pool only while something waits on them.
  pool.join();
  if (canceled != n) return 1;
  std::cout << "all " << n << " operations canceled by one cancel()\n";
}
