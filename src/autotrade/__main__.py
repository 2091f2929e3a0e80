from autotrade.cli import main

main()
