from acctmgr.cli import main

main()
