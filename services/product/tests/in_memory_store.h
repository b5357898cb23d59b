// A ProductStore and StockStore in memory for domain and API tests: the same contracts as PgProductStore and
// PgStockStore over one set of stock rows, under one mutex instead of transactions.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "services/product/domain/catalogue_ports.h"
#include "services/product/domain/ports.h"
#include "services/product/domain/stock_ports.h"

namespace zhongtai::product {

class InMemoryProductStore : public ProductStore, public CatalogueStore, public StockStore {
 public:
  absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id) override;
  absl::StatusOr<std::vector<Category>> ListCategories(const std::string& after_id, int limit) override;
  absl::StatusOr<Product> CreateProduct(const Product& product, const std::vector<InitialStock>& stock,
                                        const std::string& request_id, absl::Time now) override;
  absl::StatusOr<Product> GetProduct(const std::string& product_id) override;
  absl::StatusOr<std::vector<Product>> ListProducts(const ProductQuery& query) override;
  absl::StatusOr<std::vector<Sku>> GetSkus(const std::vector<std::string>& sku_ids,
                                           const ShippingRegion& region) override;
  absl::StatusOr<ReserveOutcome> Reserve(const Reservation& draft) override;
  absl::StatusOr<TransitionOutcome> Transition(const std::string& order_id, ReservationAction action,
                                               absl::Time now) override;
  absl::StatusOr<TransitionOutcome> Resize(const std::string& order_id, int64_t new_quantity,
                                           const std::string& request_id, absl::Time now,
                                           absl::Time hold_until) override;
  absl::StatusOr<TransitionOutcome> Settle(const std::string& order_id, int64_t confirm_quantity,
                                           absl::Time now) override;
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit) override;

  // Catalogue (in_memory_catalogue_store.cc).
  absl::StatusOr<Brand> CreateBrand(const Brand& brand, const std::string& request_id) override;
  absl::StatusOr<Brand> UpdateBrand(const std::string& brand_id, const BrandChange& change, absl::Time now) override;
  absl::StatusOr<std::vector<Brand>> ListBrands(const std::string& after_id, int limit) override;
  absl::StatusOr<Category> UpdateCategory(const std::string& category_id, const std::optional<std::string>& name,
                                          const std::optional<std::string>& parent_id) override;
  absl::StatusOr<Product> GetProductForAdmin(const std::string& product_id) override;
  absl::StatusOr<std::vector<ProductTransition>> ListTransitions(const std::string& product_id) override;
  absl::StatusOr<Product> SaveProduct(const Product& updated, int64_t expected_version,
                                      const std::optional<ProductTransition>& transition,
                                      const std::vector<ProductEvent>& events) override;
  absl::StatusOr<ComplianceWordList> GetComplianceWords() override;
  absl::StatusOr<int64_t> ComplianceWordsVersion() override;
  absl::StatusOr<ComplianceWordList> ReplaceComplianceWords(const std::vector<ComplianceWord>& words,
                                                            absl::Time now) override;
  absl::StatusOr<std::vector<PriceRule>> ReplacePriceRules(const std::string& sku_id,
                                                           const std::vector<PriceRule>& rules,
                                                           const ProductEvent& event) override;
  absl::StatusOr<std::map<std::string, std::vector<PriceRule>>> GetPriceRules(
      const std::vector<std::string>& sku_ids) override;
  // The events SaveProduct wrote, oldest first.
  std::vector<ProductEvent> Outbox();
  absl::StatusOr<Warehouse> CreateWarehouse(const Warehouse& warehouse) override;
  absl::StatusOr<std::vector<Warehouse>> ListWarehouses(const std::string& after_id, int limit) override;
  absl::StatusOr<Warehouse> UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch,
                                            absl::Time now) override;
  absl::StatusOr<std::vector<StockLevel>> ApplyOperation(const StockOperation& op, absl::Time now) override;
  absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerQuery& query) override;
  absl::Status PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) override;
  absl::StatusOr<std::vector<StockPosition>> StockPositions(const std::string& warehouse_id, bool with_sales,
                                                            absl::Time sales_since) override;
  absl::StatusOr<std::vector<SkuRevenue>> SkuRevenues(absl::Time since) override;
  absl::Status SaveAbcClasses(const std::vector<SkuClass>& classes, absl::Time now) override;

  // Warehouses sourcing may take stock from; "default" (central, nationwide) exists from the start.
  void PutWarehouse(const Warehouse& warehouse);

  // For assertions.
  StockLevel Level(const std::string& sku_id, const std::string& warehouse_id);
  int64_t Available(const std::string& sku_id);
  std::vector<LedgerEntry> Ledger();  // oldest first

 private:
  struct StoredReservation {
    Reservation reservation;
    std::vector<Allocation> allocations;
  };
  int64_t AvailableLocked(const std::string& sku_id) const;
  Sku FillLocked(Sku sku) const;
  Product FillLocked(Product product) const;
  // A ledger entry for a movement already applied to stock_.
  void RecordLocked(const std::string& sku_id, const std::string& warehouse_id, const std::string& kind,
                    const std::string& reference, int64_t on_hand_delta, int64_t reserved_delta, absl::Time now,
                    const std::string& request_id, const std::string& reason, const std::string& actor);

  std::mutex mu_;
  std::map<std::string, Category> categories_;
  std::map<std::string, std::string> category_requests_;  // request id -> category id
  std::map<std::string, Product> products_;
  std::map<std::string, std::string> product_requests_;
  std::map<std::string, std::string> sku_product_;                   // sku id -> product id
  std::map<std::pair<std::string, std::string>, StockLevel> stock_;  // (sku, warehouse)
  std::map<std::pair<std::string, std::string>, SafetyStockSetting> safety_;
  std::map<std::string, char> abc_;
  std::map<std::string, std::pair<std::string, std::vector<StockLevel>>> requests_;  // id -> (operation, levels)
  std::map<std::string, StoredReservation> reservations_;
  std::map<std::string, std::string> resizes_;  // request id -> order id
  std::vector<LedgerEntry> ledger_;
  std::map<std::string, Warehouse> warehouses_ = {
      {kDefaultWarehouse, {kDefaultWarehouse, "Default", WarehouseType::kCentral}}};
  // Catalogue
  std::map<std::string, Brand> brands_;
  std::map<std::string, std::string> brand_requests_;
  std::map<std::string, std::vector<ProductTransition>> transitions_;
  std::vector<ComplianceWordList> word_lists_;  // by version; empty until the first replace
  std::vector<ProductEvent> outbox_;
  std::map<std::string, std::vector<PriceRule>> price_rules_;
};

// A clock tests move by hand.
using FakeClock = zhongtai::FakeClock;

// Counts observer results.
class CountingObserver : public InventoryObserver {
 public:
  void ReservationResult(absl::string_view result) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[std::string(result)];
  }
  int Count(const std::string& result) {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_[result];
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> counts_;
};

}  // namespace zhongtai::product
