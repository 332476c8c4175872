#include "report/xlsx.hpp"

// Placeholder until the workbook writer lands (branch xlsx replaces this file).
namespace pk::report {

Expected<ExportSummary> write_xlsx(query::Reader&, const ExportRequest&, const std::string&) {
  return make_error(ErrorKind::io, "xlsx export is not built yet");
}

}  // namespace pk::report
