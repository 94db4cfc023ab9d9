//
// asioctx.hpp: the whole library.
//

#ifndef ASIOCTX_HPP
#define ASIOCTX_HPP

#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>
#include <asioctx/context.hpp>
#include <asioctx/error.hpp>

#endif  // ASIOCTX_HPP
