/* ifk-report: not implemented yet (see the project's issues). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ifk-report %s\n", IFK_VERSION);
		return 0;
	}
	fprintf(stderr, "ifk-report: not implemented yet\n");
	return 2;
}
