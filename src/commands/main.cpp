#include "commands/app.h"

int main(int argc, char** argv) { return sharpscope::cli::run(argc, argv); }
