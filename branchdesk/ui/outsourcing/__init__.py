"""The Outsourcing watch tab: the contract register, its timeline and the insourcing window."""
