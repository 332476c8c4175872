// Asio and Beast compiled once here (BOOST_ASIO_SEPARATE_COMPILATION,
// BOOST_BEAST_SEPARATE_COMPILATION), not in every file that includes them.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
