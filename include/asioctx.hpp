//
// asioctx.hpp: the whole library.
//

#ifndef ASIOCTX_HPP
#define ASIOCTX_HPP

#include <asioctx/context.hpp>
#include <asioctx/error.hpp>

#endif  // ASIOCTX_HPP
