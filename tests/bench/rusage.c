/* pk_rusage: runs a command and reports what it cost, with microsecond
 * resolution (GNU time's -f rounds CPU seconds to 10 ms, too coarse for
 * fping at 1,000 targets).
 *
 *   pk_rusage OUT.json CMD [ARG...]
 *
 * Runs CMD (its stdout and stderr untouched), waits for it, and writes one
 * JSON object to OUT.json: {"user_s","sys_s","cpu_s","maxrss_kb","wall_s",
 * "exit"}. CPU and peak RSS come from wait4()'s rusage of CMD (and any
 * children it waited for). Exits with CMD's status (128+N for a signal). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: pk_rusage OUT.json CMD [ARG...]\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    perror("pk_rusage: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    fprintf(stderr, "pk_rusage: cannot run %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("pk_rusage: wait4");
      return 2;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  FILE* out = fopen(argv[1], "w");
  if (!out) {
    perror("pk_rusage: output file");
    return 2;
  }
  fprintf(out, "{\"user_s\":%.6f,\"sys_s\":%.6f,\"cpu_s\":%.6f,\"maxrss_kb\":%ld,\"wall_s\":%.6f,\"exit\":%d}\n",
          seconds(ru.ru_utime), seconds(ru.ru_stime), seconds(ru.ru_utime) + seconds(ru.ru_stime), ru.ru_maxrss, wall,
          code);
  fclose(out);
  return code;
}
