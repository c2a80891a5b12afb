#pragma once
/// SIGINT/SIGTERM handling for long loops. Commands whose loops poll install it (the resumable
/// point loop and the trainer do); the others keep the default, so Ctrl-C stops them at once.
/// After install_interrupt_handler() the first Ctrl-C only sets a flag that loops poll with
/// interrupt_requested() (they then save their work and throw Interrupted); a second Ctrl-C exits
/// at once.
#include <string>

namespace sharpscope {

void install_interrupt_handler();
bool interrupt_requested();
/// Throws Interrupted("interrupted: partial results saved to <where>; rerun with --resume to
/// continue") when a Ctrl-C is pending.
void throw_if_interrupted(const std::string& where);

}  // namespace sharpscope
