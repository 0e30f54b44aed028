"""The only modules that touch the real screen and input: mss, pyautogui, pynput, Xlib, Xvfb."""
