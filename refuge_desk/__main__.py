from refuge_desk.cli import main

raise SystemExit(main())
