// The programs' entries. SwiftPM links an executable target with `main` aliased to `<Target>_main`, the
// name it gives the Swift entry point; with -sanitize=fuzzer the Swift compiler turns that entry into
// LLVMFuzzerTestOneInput instead, so the targets are built with -parse-as-library and their entries are
// defined here, in C, handing the command line (corpus folders, -max_total_time, ...) to libFuzzer.
#include "CFuzzerDriver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int FuzzRequests_main(int argc, char **argv) { return run(argc, argv); }
int FuzzSchema_main(int argc, char **argv) { return run(argc, argv); }
