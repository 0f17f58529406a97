/*
 * The smallest program an exec can start: no C library, one page of code, exit(0) at once.
 * bench/spawn-floor.sh spawns it to show the exec floor itself (cc -static -nostdlib).
 */
void _start(void) {
    __asm__ volatile("mov $231, %eax\n\txor %edi, %edi\n\tsyscall"); /* exit_group(0) */
}
