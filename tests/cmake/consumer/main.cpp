// tests/cmake/consumer/main.cpp: uses the generated C++ of order.dol (the
// shop_cpp library from dolc_add_module's CPP_LIBRARY): set a total, save,
// load into another replica, print its JSON.
#include <cstdio>

#include "order.hpp"

int main() {
  using dolgen::order::ShopOrder;
  ShopOrder a(1), b(2);
  dolgen::order::MoneyValue total;
  total.amount_minor = 1250;
  total.currency = "EUR";
  if (!a.total_set(dolc_gen::kRoot, total).ok) return 1;
  if (!b.load(a.save()).ok) return 1;
  std::printf("%s\n", b.to_json().c_str());
  return 0;
}
