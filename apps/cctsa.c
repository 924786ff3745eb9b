/* cctsa: the operator's and relying party's command-line tool. */
int cctsa_cli_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return cctsa_cli_main(argc, argv);
}
