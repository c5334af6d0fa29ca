from cardflow.cli import main

raise SystemExit(main())
