// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/after_func.cpp: stop_func's members, compiled so that code holding a stop_func needs only
// <asioctx/context.hpp>, where it is declared.
//

#include <asioctx/after_func.hpp>

namespace asioctx {

stop_func::stop_func(const stop_func& o) noexcept : op_(o.op_) {
  if (op_ != nullptr) op_->add_ref();
}

stop_func::~stop_func() {
  if (op_ != nullptr) op_->release();
}

bool stop_func::operator()() const noexcept { return op_ != nullptr && op_->stop(); }

}  // namespace asioctx
